package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * When Maven runs on Java 17 (the root pom's jdk-toolchain profile), this module's pom runs one Failsafe
 * execution per scenario class (profile {@code jdk-toolchain-scenarios}) instead of forking per class,
 * since that lists the classes in Maven's own JVM. A scenario class missing from that list would not
 * run there at all, silently: this test, which runs on every JDK, says which one.
 */
class ScenarioExecutionsTest {
  private static final Path MODULE = Path.of(System.getProperty("basedir", "."));

  @Test
  void everyScenarioClassHasAnExecutionOfItsOwnInTheJava17Profile() throws IOException {
    String pom = Files.readString(MODULE.resolve("pom.xml"));
    int start = pom.indexOf("<id>jdk-toolchain-scenarios</id>");
    assertThat(start).as("profile jdk-toolchain-scenarios in pom.xml").isPositive();
    String profile = pom.substring(start, pom.indexOf("</profile>", start));

    List<String> included = new ArrayList<>();
    Matcher include = Pattern.compile("<include>\\*\\*/(\\w+)\\.java</include>").matcher(profile);
    while (include.find()) {
      included.add(include.group(1));
    }
    assertThat(included).as("one execution per class").doesNotHaveDuplicates();
    assertThat(new TreeSet<>(included))
        .as("the scenario classes of src/test/java against the executions of jdk-toolchain-scenarios")
        .isEqualTo(scenarioClasses());
  }

  private static TreeSet<String> scenarioClasses() throws IOException {
    Path sources = MODULE.resolve("src/test/java");
    try (Stream<Path> files = Files.walk(sources)) {
      TreeSet<String> names = new TreeSet<>();
      files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith("IT.java"))
          .forEach(n -> names.add(n.substring(0, n.length() - ".java".length())));
      return names;
    }
  }
}

package io.github.kafkadedup.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK choice that ./mvnw, ./demo, ./kafka-dedup and .ci/run share ({@code .mvn/find-jdk.sh}): JAVA_HOME when
 * it is a JDK 21+, else the newest JDK 21+ installed (here: fake JDKs under a fake {@code ~/.jdks}, newer than any
 * real one), and a one-line error naming where it looked when there is none.
 */
class FindJdkScriptTest {
  private static final Path SCRIPT = Path.of(System.getProperty("basedir", "."), "..", ".mvn", "find-jdk.sh")
      .normalize();

  @TempDir
  Path home;

  @Test
  void javaHomeWinsWhenItIs21OrNewer() throws Exception {
    Path jdk21 = fakeJdk("jdk-21", "21.0.5");
    fakeJdk("jdk-98", "98");
    assertThat(run("JAVA_HOME=" + jdk21 + "; find_jdk")).isEqualTo(jdk21.toString());
  }

  @Test
  void anOlderJavaHomeGivesWayToTheNewestInstalledJdk() throws Exception {
    Path jdk17 = fakeJdk("jdk-17", "17.0.15");
    fakeJdk("jdk-97", "97.0.1");
    Path newest = fakeJdk("jdk-98", "98");
    assertThat(run("JAVA_HOME=" + jdk17 + "; find_jdk")).isEqualTo(newest.toString());
  }

  @Test
  void aJreWithoutJavacIsNoJdk() throws Exception {
    Path jre = fakeJdk("jre-99", "99");
    Files.delete(jre.resolve("bin/javac"));
    assertThat(run("JAVA_HOME=" + jre + "; find_jdk")).isNotEqualTo(jre.toString());
  }

  @Test
  void noneFoundSaysWhereItLookedInOneLine() throws Exception {
    String out = run("JAVA_HOME=/nowhere; FIND_JDK_MINIMUM=999; find_jdk || find_jdk_failure mvnw");
    assertThat(out).doesNotContain("\n").startsWith("mvnw: no JDK 999+ found")
        .contains("JAVA_HOME=/nowhere", "/usr/lib/jvm", "~/.sdkman/candidates/java", "~/.jdks", "PATH");
  }

  private Path fakeJdk(String name, String version) throws IOException {
    Path jdk = Files.createDirectories(home.resolve(".jdks").resolve(name));
    Files.createDirectories(jdk.resolve("bin"));
    for (String tool : new String[] {"java", "javac"}) {
      Path file = Files.writeString(jdk.resolve("bin").resolve(tool), "#!/bin/sh\nexit 1\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    return jdk;
  }

  private String run(String commands) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", ". \"$1\"; " + commands, "find-jdk-test", SCRIPT.toString())
        .redirectErrorStream(true);
    pb.environment().put("HOME", home.toString()); // the fake ~/.jdks
    Process sh = pb.start();
    sh.getOutputStream().close();
    String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(sh.waitFor(60, TimeUnit.SECONDS)).as("sh finished").isTrue();
    return out;
  }
}

package io.github.kafkadedup.examples.docs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One snippet turned into a compilation unit, with the Markdown line of every generated line.
 *
 * <p>Each snippet gets a package of its own, so two snippets may declare the same class. The block's
 * import lines move to the top. Unless the block says {@code own-imports}, {@link #DEFAULT_IMPORTS} are
 * added (a single-type default is dropped when the block imports the same simple name): the docs show
 * the imports where they teach something and leave out the obvious ones.
 */
final class SnippetSource {
  /** What a documentation snippet may use without importing it. */
  static final List<String> DEFAULT_IMPORTS = List.of(
      "java.time.*", "java.util.*", "java.util.concurrent.*", "java.sql.Connection", "javax.sql.DataSource",
      "io.github.kafkadedup.consumer.*", "io.github.kafkadedup.outbox.*", "io.github.kafkadedup.retention.*", "io.github.kafkadedup.migrations.*", "io.github.kafkadedup.producer.*",
      "io.github.kafkadedup.spring.*",
      "org.apache.kafka.clients.admin.*", "org.apache.kafka.clients.consumer.*",
      "org.apache.kafka.clients.producer.*", "org.apache.kafka.common.serialization.*",
      "org.jooq.DSLContext", "org.jooq.SQLDialect", "org.jooq.impl.DSL",
      "com.zaxxer.hikari.HikariConfig", "com.zaxxer.hikari.HikariDataSource",
      "io.micrometer.core.instrument.MeterRegistry", "org.slf4j.Logger", "org.slf4j.LoggerFactory",
      "org.springframework.context.annotation.Bean", "org.springframework.stereotype.Component",
      "org.springframework.jdbc.core.JdbcTemplate", "org.springframework.transaction.PlatformTransactionManager",
      "org.springframework.transaction.annotation.Transactional",
      "org.springframework.kafka.annotation.KafkaListener", "org.springframework.kafka.core.*",
      "org.springframework.kafka.listener.*", "org.springframework.kafka.support.Acknowledgment",
      "org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory",
      "org.springframework.util.backoff.ExponentialBackOff",
      "org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy");

  private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(static\\s+)?([\\w.]+(\\.\\*)?)\\s*;\\s*(//.*)?$");

  private static final Pattern PUBLIC_TYPE =
      Pattern.compile("(?m)^public\\s+(?:(?:final|abstract|sealed|non-sealed)\\s+)*(?:class|interface|record|enum)\\s+(\\w+)");

  final Snippet snippet;
  final String packageName;
  private final List<String> lines = new ArrayList<>();
  private final List<Integer> markdownLines = new ArrayList<>();

  SnippetSource(Snippet snippet) {
    this.snippet = snippet;
    this.packageName = "snippets." + snippet.file().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_")
        + ".line" + snippet.fenceLine();
    render();
  }

  /** The source file's name: a public top-level type of a {@code file} snippet names it. */
  String fileName() {
    Matcher publicType = PUBLIC_TYPE.matcher(text());
    return (snippet.kind() == Snippet.Kind.FILE && publicType.find() ? publicType.group(1) : "Snippet") + ".java";
  }

  /** The generated Java text. */
  String text() {
    return String.join("\n", lines) + "\n";
  }

  /** The Markdown line of a 1-based generated line, or the fence's line for wrapper lines. */
  int markdownLine(long generatedLine) {
    int index = (int) generatedLine - 1;
    return index >= 0 && index < markdownLines.size() && markdownLines.get(index) > 0
        ? markdownLines.get(index) : snippet.fenceLine();
  }

  private void render() {
    emit("package " + packageName + ";", 0);
    List<Integer> body = new ArrayList<>();
    Set<String> imported = new HashSet<>();
    for (int i = 0; i < snippet.lines().size(); i++) {
      Matcher m = IMPORT.matcher(snippet.lines().get(i));
      if (m.matches()) {
        emit(snippet.lines().get(i).strip(), snippet.markdownLine(i));
        if (m.group(1) == null) {
          imported.add(simpleName(m.group(2)));
        }
      } else {
        body.add(i);
      }
    }
    if (!snippet.ownImports()) {
      DEFAULT_IMPORTS.stream().filter(d -> d.endsWith("*") || !imported.contains(simpleName(d)))
          .forEach(d -> emit("import " + d + ";", 0));
    }
    String open = switch (snippet.kind()) {
      case STATEMENTS, MEMBERS -> "@SuppressWarnings(\"all\") class Snippet {";
      case FILE, SKIP -> null;
    };
    if (open != null) {
      emit(open, 0);
      snippet.given().forEach(g -> emit("  " + g + (g.endsWith("}") ? "" : ";"), 0));
    }
    if (snippet.kind() == Snippet.Kind.STATEMENTS) {
      emit("  void snippet() throws Exception {", 0);
    }
    body.forEach(i -> emit(snippet.lines().get(i), snippet.markdownLine(i)));
    if (snippet.kind() == Snippet.Kind.STATEMENTS) {
      emit("  }", 0);
    }
    if (open != null) {
      emit("}", 0);
    }
  }

  private void emit(String line, int markdownLine) {
    lines.add(line);
    markdownLines.add(markdownLine);
  }

  private static String simpleName(String qualified) {
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }
}

package io.github.kafkadedup.cli;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.retention.RetentionConfig;
import io.github.kafkadedup.retention.RetentionJob;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.SQLException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The settings of the {@link RetentionJob} that {@code retention plan} and {@code run} build: the same job
 * an application schedules, so the plan is what that job would do with these settings.
 */
final class RetentionOptions {
  private static final Pattern SHORT = Pattern.compile("(\\d+)([dhms])");

  @Option(names = "--window", required = true, paramLabel = "DURATION",
      description = "the dedup window, as configured in the application: 7d, 36h, 90m or ISO-8601 (P7D)")
  String window = "";

  @Option(names = "--generation-length", paramLabel = "DURATION",
      description = "as RetentionConfig.generationLength (default: derived from the window)")
  @Nullable String generationLength;

  @Option(names = "--force-short-window", description = "accept a window below RetentionConfig's minimum (7d)")
  boolean forceShortWindow;

  @Option(names = "--topics", split = ",", paramLabel = "TOPIC",
      description = "the consumers' topics: keys their records can still replay are kept (needs Kafka)")
  List<String> topics = new ArrayList<>();

  @Option(names = "--no-replay-guard", description = "drop by the window alone, even keys that the topics can "
      + "still replay (retention run keeps them by default, and needs --topics or the topics recorded in "
      + "consumer_offsets, and --bootstrap-servers)")
  boolean noReplayGuard;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Kafka, for the replay guard of --topics (env DEDUP_KAFKA_BOOTSTRAP)")
  @Nullable String bootstrapServers;

  RetentionConfig config(DedupSchema schema) {
    try {
      RetentionConfig.Builder b = RetentionConfig.builder().schema(schema).window(duration("--window", window))
          .forceShortWindow(forceShortWindow);
      if (generationLength != null) {
        b.generationLength(duration("--generation-length", generationLength));
      }
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw CliFailure.usage(e.getMessage());
    }
  }

  /** An Admin client for the replay guard, or null without --topics. */
  @Nullable Admin admin() {
    if (topics.isEmpty()) {
      return null;
    }
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw CliFailure.usage("--topics needs --bootstrap-servers (or DEDUP_KAFKA_BOOTSTRAP) to read the topics' "
          + "retention and earliest records");
    }
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-dedup-cli");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    try {
      return Admin.create(p);
    } catch (KafkaException e) {
      throw CliFailure.connection("cannot create a Kafka client for " + bootstrapServers + ": " + e.getMessage()
          + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
    }
  }

  /**
   * For {@code retention run}: the topics of the replay guard: {@code --topics}, else the topics the consumers
   * recorded in {@code consumer_offsets}; fails unless there are some, or {@code --no-replay-guard} was given.
   * Sets {@link #topics}; empty with {@code --no-replay-guard}.
   */
  void requireReplayGuard(Tables t) {
    if (noReplayGuard) {
      if (!topics.isEmpty()) {
        throw CliFailure.usage("--no-replay-guard and --topics contradict each other: give one");
      }
      return;
    }
    if (topics.isEmpty() && t.exists(t.offsets()) && t.may(t.offsets(), "SELECT")) {
      String recorded = t.queryString("SELECT string_agg(DISTINCT topic, ',' ORDER BY topic) FROM " + t.offsets(),
          "reading the consumers' topics from " + t.offsets());
      if (recorded != null) {
        topics = new ArrayList<>(List.of(recorded.split(",")));
      }
    }
    if (!topics.isEmpty() && (bootstrapServers == null || bootstrapServers.isBlank())) {
      throw CliFailure.usage("retention run keeps the keys of records the topics " + topics + " can still replay: "
          + "give --bootstrap-servers (or DEDUP_KAFKA_BOOTSTRAP) to read them, or --no-replay-guard to drop by the "
          + "window alone");
    }
    if (topics.isEmpty()) {
      throw CliFailure.usage("retention run keeps the keys of records the topics can still replay: give --topics "
          + "and --bootstrap-servers (no topics are recorded in consumer_offsets), or --no-replay-guard to drop by "
          + "the window alone");
    }
  }

  RetentionJob job(DataSource dataSource, DedupSchema schema, @Nullable Admin admin) {
    RetentionJob.Builder b = RetentionJob.builder(dataSource, config(schema));
    if (admin != null) {
      b.topics(admin, topics);
    }
    return b.build();
  }

  static Duration duration(String option, String text) {
    Matcher m = SHORT.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "d" -> Duration.ofDays(n);
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      };
    }
    try {
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw CliFailure.usage(option + " must be a duration like 7d, 36h, 90m, 30s or PT36H, but was '" + text + "'");
    }
  }

  /** A database failure inside the job, as a message and exit code. */
  static CliFailure translate(DedupException e, String doing) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        return DbErrors.onStatement(sql, doing);
      }
    }
    return CliFailure.failed(doing + ": " + e.getMessage());
  }
}

package io.github.kafkadedup.examples.demo;

import io.github.kafkadedup.producer.TopicReadiness;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The demo a newcomer runs first ({@code ./demo}): publishes an order stream with application re-sends,
 * lets a group of consumers (separate JVMs) apply it to PostgreSQL through kafka-dedup while one of them is
 * killed with SIGKILL mid-batch and restarted and another joins and leaves the group, then checks the
 * tables: every order exactly once, every balance right. {@code --no-dedup} runs the same consumers without
 * the library and shows what goes wrong.
 *
 * <p>Exit code 0 on PASS, 1 on FAIL, 2 on a usage error.
 */
public final class Demo {
  private static final int PARTITIONS = 6;
  /** How long the consumers may take beyond the publishing time before the demo gives up. */
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(3);

  private final DemoOptions options;
  private final PrintStream out;
  private final boolean terminal;
  private int killedMidBatch;

  private Demo(DemoOptions options, PrintStream out, boolean terminal) {
    this.options = options;
    this.out = out;
    this.terminal = terminal;
  }

  /**
   * Runs the demo; see {@code ./demo --help}.
   *
   * @param args the options
   * @throws Exception if the infrastructure fails
   */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "log4j2-demo.xml"); // warnings only: keep the screen readable
    }
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.print(DemoOptions.USAGE);
      return;
    }
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(DemoOptions.USAGE);
      System.exit(2);
      return;
    }
    Report report = run(options, System.out, Boolean.getBoolean("demo.terminal"));
    System.exit(report.pass() ? 0 : 1); // also stops the embedded broker and database (shutdown hooks)
  }

  /** Runs the demo with {@code options}, printing to {@code out}, and returns its report. */
  static Report run(DemoOptions options, PrintStream out, boolean terminal) throws Exception {
    return new Demo(options, out, terminal).run();
  }

  private Report run() throws Exception {
    long start = System.nanoTime();
    out.printf("kafka-dedup demo: %,d orders + %,d re-sends, %d consumers, %d SIGKILLs%s%n", options.messages(),
        options.duplicates(), options.consumers(), options.kills(), options.dedup() ? "" : ", WITHOUT kafka-dedup");
    out.println("starting PostgreSQL and Kafka...");
    try (DemoInfrastructure infra = DemoInfrastructure.start()) {
      out.println("  " + infra.description);
      DemoSchema.recreate(infra.dataSource);
      String run = UUID.randomUUID().toString().substring(0, 8);
      String topic = "demo-orders-" + run;
      String groupId = "demo-orders-" + run; // also the dedup scope
      infra.admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
      // before Kafka 4.5 brokers, an idempotent producer can lose its first batch to a just-created partition
      TopicReadiness.awaitWritable(infra.admin, List.of(topic), Duration.ofSeconds(30));
      out.printf("  migrated schema %s; topic %s (%d partitions); consumer logs in %s%n", DemoSchema.NAME, topic,
          PARTITIONS, Path.of("target", "child-logs").toAbsolutePath());
      OrderPublisher publisher = new OrderPublisher(infra.bootstrapServers, topic, options,
          ThreadLocalRandom.current().nextLong());
      Outcome outcome = runGroup(infra, publisher, topic, groupId);
      Report report = Report.collect(infra.dataSource, options, publisher.published(), outcome.counts(),
          publisher.expectedBalances(), publisher.expectedTotal(), outcome.caughtUp(), killedMidBatch,
          (System.nanoTime() - start) / 1e9);
      report.print(out);
      if (infra.externalKafka) {
        infra.admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS); // polite on a shared broker
      }
      return report;
    }
  }

  /** Whether the group committed every record in time, and what its members counted. */
  private record Outcome(boolean caughtUp, ConsumerGroup.Counts counts) {}

  /** Starts the group, plays the scenario while publishing, and stops the group. */
  private Outcome runGroup(DemoInfrastructure infra, OrderPublisher publisher, String topic, String groupId)
      throws Exception {
    Path controlDir = Files.createTempDirectory("kafka-dedup-demo-"); // where crash requests are written
    controlDir.toFile().deleteOnExit();
    try (ConsumerGroup group = new ConsumerGroup(infra.bootstrapServers, infra.jdbcUrl, infra.user,
        infra.password, topic, groupId, options.dedup(), controlDir)) {
      out.printf("starting %d consumers (one JVM each)...%n", options.consumers());
      group.start(IntStream.rangeClosed(1, options.consumers()).mapToObj(Demo::consumerName).toArray(String[]::new));
      group.awaitAssigned(PARTITIONS, Duration.ofSeconds(60));
      boolean caughtUp;
      Status status = new Status(infra, publisher, options.published(), group, groupId);
      try (ProgressLine progress = new ProgressLine(out, terminal, status::line)) {
        caughtUp = play(infra, publisher, group, progress, topic, groupId);
      }
      return new Outcome(caughtUp, group.stopAndCount());
    }
  }

  /** Publishes, runs each event when its share of the records is committed, then waits for the rest. */
  private boolean play(DemoInfrastructure infra, OrderPublisher publisher, ConsumerGroup group,
      ProgressLine progress, String topic, String groupId) throws Exception {
    Thread publishing = Thread.ofPlatform().name("demo-publisher").start(publisher);
    long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(options.seconds());
    for (Event event : script(infra, topic, groupId)) {
      if (!awaitCommitted(infra, groupId, (long) (event.atFraction() * options.published()), deadline)) {
        return false;
      }
      event.run(group, progress);
    }
    publishing.join();
    if (publisher.sendError() != null) {
      throw new IllegalStateException("publishing failed: " + publisher.sendError(), publisher.sendError());
    }
    progress.event("all %,d records published; waiting for the consumers to commit them".formatted(
        publisher.published()));
    return awaitCommitted(infra, groupId, endOffsets(infra, topic), deadline);
  }

  private static String consumerName(int n) {
    return "consumer-" + n;
  }

  /** A step of the scenario, run once the group has committed {@code atFraction} of the records. */
  private record Event(double atFraction, Step step) {
    void run(ConsumerGroup group, ProgressLine progress) {
      step.run(group, progress);
    }
  }

  @FunctionalInterface
  private interface Step {
    void run(ConsumerGroup group, ProgressLine progress);
  }

  /** The crashes, spread over the stream, and a consumer that joins and later leaves (two rebalances). */
  private List<Event> script(DemoInfrastructure infra, String topic, String groupId) {
    List<Event> events = new ArrayList<>();
    for (int k = 0; k < options.kills(); k++) {
      CrashPoint point = k % 2 == 0 ? CrashPoint.AFTER_DB_COMMIT : CrashPoint.MID_TRANSACTION;
      events.add(new Event(0.15 + 0.7 * (k + 0.5) / options.kills(), (group, progress) -> {
        String victim = group.busiest(lagByPartition(infra, topic, groupId));
        boolean midBatch = group.crashAndRestart(victim, point);
        if (midBatch) {
          killedMidBatch++;
        }
        progress.event(victim + (midBatch ? " killed with SIGKILL " + point.description()
            : " killed with SIGKILL (it had no batch to process)") + "; restarting it");
      }));
    }
    String extra = consumerName(options.consumers() + 1);
    events.add(new Event(0.4, (group, progress) -> {
      group.launch(extra);
      progress.event(extra + " started: it joins the group (rebalance)");
    }));
    events.add(new Event(0.8, (group, progress) -> {
      group.stop(extra);
      progress.event(extra + " left the group (clean shutdown): rebalance");
    }));
    events.sort(Comparator.comparingDouble(Event::atFraction));
    return events;
  }

  /** Waits until the group has committed {@code target} records (offsets summed over the partitions). */
  private static boolean awaitCommitted(DemoInfrastructure infra, String groupId, long target, long deadline)
      throws Exception {
    while (committed(infra, groupId) < target) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  private static long endOffsets(DemoInfrastructure infra, String topic) throws Exception {
    return endOffsetsByPartition(infra, topic).values().stream().mapToLong(Long::longValue).sum();
  }

  private static Map<Integer, Long> endOffsetsByPartition(DemoInfrastructure infra, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<Integer, Long> end = new HashMap<>();
    infra.admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
        .forEach((tp, info) -> end.put(tp.partition(), info.offset()));
    return end;
  }

  /** Records published but not yet committed by the group, per partition. */
  private static Map<Integer, Long> lagByPartition(DemoInfrastructure infra, String topic, String groupId) {
    try {
      Map<Integer, Long> lag = endOffsetsByPartition(infra, topic);
      infra.admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
          .forEach((tp, offset) -> {
            if (offset != null) {
              lag.merge(tp.partition(), -offset.offset(), Long::sum);
            }
          });
      return lag;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the group's lag", e);
    }
  }

  static long committed(DemoInfrastructure infra, String groupId) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = infra.admin.listConsumerGroupOffsets(groupId)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    return offsets.values().stream().filter(Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
  }

  /** The progress line: published, committed (consumed and applied), rows in orders, live consumers. */
  private record Status(DemoInfrastructure infra, OrderPublisher publisher, int total, ConsumerGroup group,
      String groupId) {
    String line() {
      try (var c = infra.dataSource.getConnection(); var s = c.createStatement();
          var rs = s.executeQuery("SELECT count(*) FROM " + DemoSchema.NAME + ".orders")) {
        rs.next();
        return "published %,d/%,d | committed %,d | rows in orders %,d | %d consumers".formatted(
            publisher.published(), total, committed(infra, groupId), rs.getLong(1), group.size());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}

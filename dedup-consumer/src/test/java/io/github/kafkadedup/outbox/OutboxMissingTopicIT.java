package io.github.kafkadedup.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 22 item 4, on the real broker (auto topic creation off): an outbox row for a topic that does not exist
 * blocked every relay cycle for max.block.ms (60 s), so a row of another topic waited ~100 s. Now the missing
 * topic is set aside (one WARN and one meter increment per episode, a row in outbox_topics_set_aside for
 * {@code kafka-dedup status}), the other topics flow, and its row goes out by itself once the topic exists.
 */
class OutboxMissingTopicIT {
  static OutboxFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new OutboxFixture("outbox_missing_topic");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  @Test
  void aMissingTopicIsSetAsideAndOtherTopicsFlowMeanwhile() throws Exception {
    String ok = fx.kafka.createTopic("relay-ok", 1);
    String missing = "relay-missing-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, AtomicInteger> setAside = new ConcurrentHashMap<>();
    OutboxMetrics metrics = new OutboxMetrics() {
      @Override
      public void topicSetAside(String relay, String topic) {
        setAside.computeIfAbsent(topic, t -> new AtomicInteger()).incrementAndGet();
      }
    };
    fx.sendCommitted(missing, List.<String[]>of(new String[] {"m", "m1"}));
    fx.sendCommitted(ok, List.<String[]>of(new String[] {"k", "o1"}));
    try (Warnings warnings = new Warnings()) {
      long start = System.nanoTime();
      fx.started(fx.relay("gate").metrics(metrics));
      List<ConsumerRecord<String, String>> first = fx.read(ok, 1, Duration.ofSeconds(60));
      Duration firstLatency = Duration.ofNanos(System.nanoTime() - start);
      System.out.println("OutboxMissingTopicIT: first row of the other topic published after " + firstLatency.toMillis()
          + " ms (relay start included)");
      assertThat(first).extracting(ConsumerRecord::value).containsExactly("o1");
      // usually well under a second; the bound leaves room for a loaded machine, far below max.block.ms (60 s)
      assertThat(firstLatency).as("the other topic's row is not held behind the missing topic")
          .isLessThan(Duration.ofSeconds(20));
      await().atMost(Duration.ofSeconds(30)).until(() -> fx.db.queryLong(
          "SELECT count(*) FROM outbox_topics_set_aside WHERE topic = '" + missing + "' AND reason = 'does not exist'")
          == 1);

      Thread.sleep(4_000); // several backoff checks of the missing topic (the fixture's maxBackoff is 1 s)
      long sent = System.nanoTime();
      fx.sendCommitted(ok, List.<String[]>of(new String[] {"k", "o2"}));
      List<ConsumerRecord<String, String>> both = fx.read(ok, 2, Duration.ofSeconds(60));
      assertThat(both).extracting(ConsumerRecord::value).containsExactly("o1", "o2");
      Duration secondLatency = Duration.ofNanos(System.nanoTime() - sent);
      System.out.println("OutboxMissingTopicIT: a later row of the other topic published after "
          + secondLatency.toMillis() + " ms while the missing topic was set aside");
      assertThat(secondLatency).isLessThan(Duration.ofSeconds(20));
      assertThat(warnings.about(missing)).as("one WARN per topic per episode").hasSize(1);
      assertThat(setAside).containsOnlyKeys(missing);
      assertThat(setAside.get(missing)).hasValue(1);
      assertThat(fx.db.queryLong("SELECT count(*) FROM outbox WHERE topic = '" + missing + "'")).isEqualTo(1);

      fx.kafka.createTopic(missing, 1, Map.of());
      List<ConsumerRecord<String, String>> late = fx.read(missing, 1, Duration.ofSeconds(60));
      assertThat(late).extracting(ConsumerRecord::value).as("goes out by itself once the topic exists")
          .containsExactly("m1");
      await().atMost(Duration.ofSeconds(30)).until(() -> fx.db.queryLong(
          "SELECT count(*) FROM outbox_topics_set_aside") == 0 && fx.outboxRows() == 0);
    }
  }

  /** The relay's WARN lines (its logger is OutboxRelay's). */
  private static final class Warnings extends AbstractAppender implements AutoCloseable {
    private final Logger logger = (Logger) LogManager.getLogger(OutboxRelay.class);
    private final List<String> lines = new CopyOnWriteArrayList<>();

    Warnings() {
      super("outbox-missing-topic-warnings", null, null, true, Property.EMPTY_ARRAY);
      start();
      logger.addAppender(this);
    }

    @Override
    public void append(LogEvent event) {
      if (event.getLevel().name().equals("WARN")) {
        lines.add(event.getMessage().getFormattedMessage());
      }
    }

    List<String> about(String topic) {
      return lines.stream().filter(l -> l.contains(topic)).toList();
    }

    @Override
    public void close() {
      logger.removeAppender(this);
      stop();
    }
  }
}

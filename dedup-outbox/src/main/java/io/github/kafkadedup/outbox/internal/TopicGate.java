package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.outbox.OutboxMetrics;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which topics the relay may send to now. A topic that does not exist (auto-creation off) or that the relay may
 * not write makes {@code KafkaProducer.send} block for {@code max.block.ms} (60 s by default) on every try, which
 * stalled every other topic's rows (issue 22). So, before a batch is handed to the producer, each topic not seen
 * recently is checked through an Admin client (a metadata request: milliseconds); a missing topic is set aside
 * with backoff (its rows stay in the outbox, other topics' rows go on), checked again when its backoff ends, and
 * released as soon as it exists. Not thread-safe: the relay's thread only.
 */
final class TopicGate implements AutoCloseable {
  /** How long a topic seen to exist is trusted without a new check. */
  static final Duration PRESENT_FOR = Duration.ofMinutes(5);
  private static final long CHECK_TIMEOUT_MS = 10_000;

  private static final Logger log = LoggerFactory.getLogger(OutboxLoggers.RELAY);

  private final String name;
  private final OutboxMetrics metrics;
  private final Map<String, Object> producerSettings;
  private final Backoff backoff;
  private final Map<String, Long> presentUntil = new HashMap<>();
  private final Map<String, Episode> setAside = new LinkedHashMap<>();
  private @Nullable Admin admin;

  /**
   * A topic set aside.
   *
   * @param since when it was first found missing in this episode (epoch ms)
   * @param checks how many checks found it missing
   * @param nextCheck when to check again (epoch ms)
   * @param reason what the broker said
   */
  record Episode(long since, int checks, long nextCheck, String reason) {}

  /** What a check found: topics newly set aside, topics released (they exist now). */
  record Changes(Map<String, Episode> newlyMissing, Map<String, Episode> released) {}

  TopicGate(String name, OutboxMetrics metrics, Map<String, Object> producerSettings, Duration maxBackoff) {
    this.name = name;
    this.metrics = metrics;
    this.producerSettings = producerSettings;
    this.backoff = new Backoff(Duration.ofSeconds(1), maxBackoff.compareTo(Duration.ofSeconds(1)) < 0
        ? Duration.ofSeconds(1) : maxBackoff);
  }

  /** The topics set aside whose backoff has not ended: the relay does not read their rows. */
  Set<String> excluded(long now) {
    Set<String> out = new HashSet<>();
    setAside.forEach((topic, e) -> {
      if (e.nextCheck() > now) {
        out.add(topic);
      }
    });
    return out;
  }

  /** Every topic set aside now. */
  Map<String, Episode> setAside() {
    return Map.copyOf(setAside);
  }

  /**
   * The rows of {@code fetched} that may be handed to the producer now: the rows of a topic that does not exist
   * (or may not be written) stay in the outbox. One WARN and one {@code topicSetAside} per topic per episode;
   * the episode is recorded in the database for {@code kafka-dedup status}, and ends (INFO) when the topic exists.
   */
  List<OutboxRow> admit(RelaySession s, List<OutboxRow> fetched) throws SQLException {
    if (fetched.isEmpty()) {
      return fetched;
    }
    long now = System.currentTimeMillis();
    Set<String> topics = new HashSet<>();
    fetched.forEach(r -> topics.add(r.topic()));
    Changes changes = check(topics, now);
    for (var e : changes.newlyMissing().entrySet()) {
      metrics.topicSetAside(name, e.getKey());
      log.warn("[{}] topic {} {}: its outbox rows are set aside (they stay in the outbox; rows of other topics go "
          + "on) and go out by themselves once it can be written; checked again with backoff. Create the topic (or "
          + "grant the relay WRITE on it), or discard its rows", name, e.getKey(), e.getValue().reason());
    }
    for (var e : changes.released().entrySet()) {
      log.info("[{}] topic {} can be written now: its outbox rows go out (set aside for {} s)", name, e.getKey(),
          (now - e.getValue().since()) / 1000);
      s.clearSetAside(e.getKey());
    }
    if (setAside.isEmpty()) {
      return fetched;
    }
    for (String topic : topics) {
      Episode e = setAside.get(topic);
      if (e != null) {
        s.recordSetAside(topic, e.since(), e.reason(), name);
      }
    }
    List<OutboxRow> admitted = new ArrayList<>(fetched.size());
    for (OutboxRow row : fetched) {
      if (!setAside.containsKey(row.topic())) {
        admitted.add(row);
      }
    }
    return admitted;
  }

  /**
   * Checks the topics of a batch that were not seen recently; returns what changed. A check that fails for
   * another reason (broker unreachable, timeout) sets nothing aside: the producer's own failure handling applies.
   */
  Changes check(Collection<String> topics, long now) {
    Set<String> unknown = new HashSet<>();
    for (String topic : topics) {
      Long until = presentUntil.get(topic);
      if (until == null || until <= now || setAside.containsKey(topic)) {
        unknown.add(topic);
      }
    }
    Map<String, Episode> newly = new LinkedHashMap<>();
    Map<String, Episode> released = new LinkedHashMap<>();
    if (unknown.isEmpty()) {
      return new Changes(newly, released);
    }
    Map<String, KafkaFuture<?>> described = new HashMap<>(admin().describeTopics(unknown,
        new DescribeTopicsOptions().timeoutMs((int) CHECK_TIMEOUT_MS)).topicNameValues());
    for (String topic : unknown) {
      String missing = missing(described.get(topic));
      Episode before = setAside.get(topic);
      if (missing == null) {
        presentUntil.put(topic, now + PRESENT_FOR.toMillis());
        if (before != null) {
          released.put(topic, setAside.remove(topic));
        }
      } else if (!missing.isEmpty()) {
        int checks = before == null ? 1 : before.checks() + 1;
        Episode e = new Episode(before == null ? now : before.since(), checks, now + backoff.delayMillis(checks),
            missing);
        setAside.put(topic, e);
        if (before == null) {
          newly.put(topic, e);
        }
      }
    }
    return new Changes(newly, released);
  }

  /** null: the topic exists; "": unknown (the check failed otherwise); else why it cannot be written. */
  private static @Nullable String missing(@Nullable KafkaFuture<?> future) {
    if (future == null) {
      return "";
    }
    try {
      future.get(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      return null;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnknownTopicOrPartitionException) {
        return "does not exist";
      }
      if (cause instanceof TopicAuthorizationException) {
        return "is not authorised for this relay";
      }
      if (cause instanceof InvalidTopicException) {
        return "is not a valid topic name";
      }
      return "";
    } catch (TimeoutException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private Admin admin() {
    if (admin == null) {
      Properties p = new Properties();
      Set<String> names = AdminClientConfig.configNames();
      producerSettings.forEach((k, v) -> {
        if (names.contains(k) && v != null) {
          p.put(k, v);
        }
      });
      Object clientId = producerSettings.get(AdminClientConfig.CLIENT_ID_CONFIG);
      p.put(AdminClientConfig.CLIENT_ID_CONFIG, (clientId == null ? "kafka-dedup-relay" : clientId) + "-topics");
      admin = Admin.create(p);
    }
    return admin;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
      admin = null;
    }
  }
}

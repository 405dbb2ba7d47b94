package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.producer.DedupConsumerConfig;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.jspecify.annotations.Nullable;

/** Checks a dedup consumer's Kafka properties and fills in the safe defaults. */
public final class ConsumerSettings {
  private ConsumerSettings() {}

  /**
   * A copy of {@code props} with {@code enable.auto.commit=false}, {@code isolation.level=read_committed}
   * and {@code auto.offset.reset=earliest} where absent.
   *
   * @throws DedupException of kind CONFIGURATION naming the property and the fix
   */
  public static Map<String, Object> checked(Map<String, ?> props) {
    Map<String, Object> copy = new HashMap<>(props);
    groupId(copy);
    Object autoCommit = copy.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
    if (DedupConsumerConfig.autoCommits(copy)) {
      throw DedupException.configuration(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG + "=" + autoCommit
          + " would commit offsets before the database transaction commits, so a crash could lose "
          + "records; remove it or set it to false (kafka-dedup commits offsets itself, after the "
          + "database commit)");
    }
    copy.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Object isolation = copy.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
    if (isolation != null && !isolation.toString().trim().toLowerCase(Locale.ROOT).equals("read_committed")) {
      throw DedupException.configuration(ConsumerConfig.ISOLATION_LEVEL_CONFIG + "=" + isolation
          + " would apply records of aborted producer transactions; remove it or set it to read_committed");
    }
    copy.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Kafka's default, latest, makes a new group skip everything published before it first joined
    copy.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return copy;
  }

  /**
   * What an explicit {@code auto.offset.reset} other than {@code earliest} costs, for one log line at
   * start, or {@code null} when it is {@code earliest}.
   */
  public static @Nullable String offsetResetWarning(Map<String, ?> props) {
    Object value = props.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
    String reset = value == null ? "earliest" : value.toString().trim().toLowerCase(Locale.ROOT);
    return switch (reset) {
      case "earliest" -> null;
      case "latest" -> "auto.offset.reset=latest (set explicitly): a partition without a committed offset "
          + "(a new group, a new partition, an offset expired by offsets.retention.minutes) starts at its end, "
          + "so records published before are skipped: never applied, never dead-lettered. Remove it to get "
          + "kafka-dedup's default, earliest (replayed records are deduplicated)";
      case "none" -> "auto.offset.reset=none (set explicitly): poll fails with NoOffsetForPartitionException "
          + "on a partition without a committed offset (a new group, a new partition, an expired offset), and "
          + "the consumer stops until an offset is committed for it by other means";
      default -> "auto.offset.reset=" + value + " (set explicitly): records published before the group first "
          + "joined may be skipped; kafka-dedup's default is earliest";
    };
  }

  /**
   * The group id.
   *
   * @throws DedupException of kind CONFIGURATION if missing
   */
  public static String groupId(Map<String, ?> props) {
    Object groupId = props.get(ConsumerConfig.GROUP_ID_CONFIG);
    if (groupId == null || groupId.toString().isBlank()) {
      throw DedupException.configuration(ConsumerConfig.GROUP_ID_CONFIG + " must be set: offsets are "
          + "committed to the consumer group, and the dedup scope defaults to it");
    }
    return groupId.toString().trim();
  }

  /** {@code max.poll.interval.ms}, or Kafka's default (5 minutes). */
  public static long maxPollInterval(Map<String, ?> props) {
    Object value = props.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
    return value == null ? 300_000L : Long.parseLong(value.toString().trim());
  }
}

package io.github.kafkadedup.producer;

import static org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_PROTOCOL_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.jspecify.annotations.Nullable;

/** The dedup consumer's rules, applied to the preset merged with the user's overrides. */
final class ConsumerRules {
  /** Client settings kafka-clients refuses with {@code group.protocol=consumer}: the broker owns them. */
  private static final List<String> BROKER_OWNED = List.of(
      PARTITION_ASSIGNMENT_STRATEGY_CONFIG, SESSION_TIMEOUT_MS_CONFIG, HEARTBEAT_INTERVAL_MS_CONFIG);

  private ConsumerRules() {}

  /** The group protocol an override asks for, else {@code fallback}; an unknown name is refused. */
  static GroupProtocol protocol(@Nullable Object override, GroupProtocol fallback, Violations violations) {
    if (override == null) {
      return fallback;
    }
    String name = PropertyValues.asText(override);
    for (GroupProtocol protocol : GroupProtocol.values()) {
      if (protocol.name().toLowerCase(Locale.ROOT).equals(name)) {
        return protocol;
      }
    }
    throw violations.invalid(GROUP_PROTOCOL_CONFIG, override, "is not a group protocol",
        "use classic or consumer, or call groupProtocol(GroupProtocol.CONSUMER)");
  }

  static void check(Map<String, Object> props, GroupProtocol protocol, Violations violations) {
    requireText(props, BOOTSTRAP_SERVERS_CONFIG, violations, "and the consumer cannot reach Kafka without it",
        "call bootstrapServers(\"host1:9092,host2:9092\")");
    requireText(props, GROUP_ID_CONFIG, violations, "and a dedup consumer needs a group: offsets are committed "
        + "for it and it is the default dedup scope", "call groupId(\"orders-service\")");
    Object autoCommit = props.get(ENABLE_AUTO_COMMIT_CONFIG);
    if (DedupConsumerConfig.autoCommits(props)) {
      violations.weakens(ENABLE_AUTO_COMMIT_CONFIG, autoCommit, "commits offsets on a timer, before the "
          + "database transaction commits, so a crash in between skips those records for good",
          "remove the override; kafka-dedup commits offsets after the database commit");
    }
    Object isolation = props.get(ISOLATION_LEVEL_CONFIG);
    if (isolation != null && !PropertyValues.asText(isolation).equals("read_committed")) {
      violations.weakens(ISOLATION_LEVEL_CONFIG, isolation, "delivers records of aborted producer "
          + "transactions, which the consumer would claim and apply although the producer rolled them back",
          "remove the override or set isolation.level=read_committed");
    }
    checkProtocolSettings(props, protocol, violations);
  }

  private static void requireText(Map<String, Object> props, String property, Violations violations,
      String why, String fix) {
    Object value = props.get(property);
    if (value == null || PropertyValues.asText(value).isEmpty()) {
      throw violations.invalid(property, value, why, fix);
    }
  }

  private static void checkProtocolSettings(Map<String, Object> props, GroupProtocol protocol,
      Violations violations) {
    if (protocol == GroupProtocol.CONSUMER) {
      for (String property : BROKER_OWNED) {
        Object value = props.get(property);
        if (value != null) {
          throw violations.invalid(property, value, "cannot be set with group.protocol=consumer (KIP-848): the "
              + "broker owns assignment and liveness (group.consumer.* broker settings) and kafka-clients "
              + "refuses it", "remove the override, or use GroupProtocol.CLASSIC");
        }
      }
    } else if (props.get(GROUP_REMOTE_ASSIGNOR_CONFIG) != null) {
      throw violations.invalid(GROUP_REMOTE_ASSIGNOR_CONFIG, props.get(GROUP_REMOTE_ASSIGNOR_CONFIG),
          "only applies to group.protocol=consumer (KIP-848) and kafka-clients refuses it with classic",
          "remove the override, or call groupProtocol(GroupProtocol.CONSUMER)");
    }
  }
}

package io.github.kafkadedup.producer;

import static org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION;
import static org.apache.kafka.clients.producer.ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.RETRIES_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG;

import java.util.Map;

/** The idempotent producer's rules, applied to the preset merged with the user's overrides. */
final class ProducerRules {
  /** The broker keeps the sequence state of at most this many in-flight batches per producer and partition. */
  static final int MAX_IN_FLIGHT = 5;
  private static final int DEFAULT_LINGER_MS = 5;
  private static final int DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

  private ProducerRules() {}

  static void check(Map<String, Object> props, Violations violations) {
    Object servers = props.get(BOOTSTRAP_SERVERS_CONFIG);
    if (servers == null || PropertyValues.asText(servers).isEmpty()) {
      throw violations.invalid(BOOTSTRAP_SERVERS_CONFIG, servers, "and the producer cannot reach Kafka without it",
          "call bootstrapServers(\"host1:9092,host2:9092\")");
    }
    Object transactionalId = props.get(TRANSACTIONAL_ID_CONFIG);
    if (transactionalId != null) {
      throw violations.invalid(TRANSACTIONAL_ID_CONFIG, transactionalId,
          "is an override, which would give every producer the same id, so they would fence each other",
          "call transactionalIdPrefix(\"" + transactionalId + "\") and give each producer toMap(suffix)");
    }
    checkIdempotence(props, violations);
    checkAcks(props, violations);
    checkRetries(props, violations);
    checkInFlight(props, violations);
    checkDeliveryTimeout(props, violations);
  }

  private static void checkIdempotence(Map<String, Object> props, Violations violations) {
    Object value = props.get(ENABLE_IDEMPOTENCE_CONFIG);
    if (value != null && !PropertyValues.asBoolean(ENABLE_IDEMPOTENCE_CONFIG, value)) {
      violations.weakens(ENABLE_IDEMPOTENCE_CONFIG, value,
          "turns off the broker's duplicate check, so a retried batch can be written twice and out of order",
          "remove the override");
    }
  }

  private static void checkAcks(Map<String, Object> props, Violations violations) {
    Object value = props.get(ACKS_CONFIG);
    String acks = value == null ? "all" : PropertyValues.asText(value);
    if (!acks.equals("all") && !acks.equals("-1")) {
      violations.weakens(ACKS_CONFIG, value, "lets the leader acknowledge before its followers have the record, "
          + "so a leader fail-over loses acknowledged records, and kafka-clients refuses it with idempotence",
          "remove the override or set acks=all");
    }
  }

  private static void checkRetries(Map<String, Object> props, Violations violations) {
    Object value = props.get(RETRIES_CONFIG);
    if (value != null && PropertyValues.asInt(RETRIES_CONFIG, value) < 1) {
      violations.weakens(RETRIES_CONFIG, value, "fails a send on the first transient error (a leader change, "
          + "a timeout) instead of retrying it, and kafka-clients refuses it with idempotence",
          "remove the override; the preset retries without a count limit and delivery.timeout.ms bounds the time");
    }
  }

  private static void checkInFlight(Map<String, Object> props, Violations violations) {
    Object value = props.get(MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
    if (value != null && PropertyValues.asInt(MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, value) > MAX_IN_FLIGHT) {
      violations.weakens(MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, value, "exceeds the " + MAX_IN_FLIGHT
          + " batches per partition whose sequence numbers the broker keeps, so after a retry it can no longer "
          + "detect a duplicate or keep the order (kafka-clients 4.x accepts the value silently)",
          "use a value from 1 to " + MAX_IN_FLIGHT);
    }
  }

  private static void checkDeliveryTimeout(Map<String, Object> props, Violations violations) {
    Object value = props.get(DELIVERY_TIMEOUT_MS_CONFIG);
    if (value == null) {
      return;
    }
    int delivery = PropertyValues.asInt(DELIVERY_TIMEOUT_MS_CONFIG, value);
    Object lingerValue = props.get(LINGER_MS_CONFIG);
    Object requestValue = props.get(REQUEST_TIMEOUT_MS_CONFIG);
    long linger = lingerValue == null ? DEFAULT_LINGER_MS : PropertyValues.asInt(LINGER_MS_CONFIG, lingerValue);
    long request = requestValue == null
        ? DEFAULT_REQUEST_TIMEOUT_MS : PropertyValues.asInt(REQUEST_TIMEOUT_MS_CONFIG, requestValue);
    if (delivery < linger + request) {
      throw violations.invalid(DELIVERY_TIMEOUT_MS_CONFIG, value, "is below linger.ms + request.timeout.ms = "
          + (linger + request) + ", which kafka-clients refuses",
          "raise delivery.timeout.ms (it should also cover a broker fail-over) or lower request.timeout.ms");
    }
  }
}

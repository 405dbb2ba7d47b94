package io.github.kafkadedup.reliability;

import io.github.kafkadedup.consumer.BatchHandler;
import io.github.kafkadedup.consumer.DedupContext;
import io.github.kafkadedup.consumer.KeyStrategy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The business write of every scenario: one {@code shop.effects} row per applied message, written on the
 * dedup transaction's connection, tagged with who applied it. A message whose value starts with
 * {@link #POISON_PREFIX} makes the handler throw (a poison record: it must reach the dead-letter topic).
 * An optional pause per record makes a slow handler.
 */
final class EffectsHandler implements BatchHandler<String, String> {
  static final String POISON_PREFIX = "poison:";
  private static final String INSERT = "INSERT INTO " + ReliabilityDb.EFFECTS
      + " (message_key, payload, applied_by, topic, kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?, ?)";

  /** Called before each record is written, on the handler's thread (e.g. to block a zombie). */
  @FunctionalInterface
  interface BeforeEach {
    void accept(ConsumerRecord<String, String> record) throws Exception;
  }

  private final String appliedBy;
  private final long pauseMillisPerRecord;
  private final BeforeEach beforeEach;

  EffectsHandler(String appliedBy) {
    this(appliedBy, 0, r -> {});
  }

  EffectsHandler(String appliedBy, long pauseMillisPerRecord, BeforeEach beforeEach) {
    this.appliedBy = appliedBy;
    this.pauseMillisPerRecord = pauseMillisPerRecord;
    this.beforeEach = beforeEach;
  }

  @Override
  public void handle(List<ConsumerRecord<String, String>> records, DedupContext tx) throws Exception {
    try (PreparedStatement ps = tx.connection().prepareStatement(INSERT)) {
      for (ConsumerRecord<String, String> r : records) {
        beforeEach.accept(r);
        if (r.value() != null && r.value().startsWith(POISON_PREFIX)) {
          throw new IllegalArgumentException("poison message " + idempotencyKey(r) + " refused by the handler");
        }
        if (pauseMillisPerRecord > 0) {
          Thread.sleep(pauseMillisPerRecord);
        }
        bind(ps, idempotencyKey(r), r.value(), appliedBy, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Writes one effect row for {@code record} (for handlers of other record types). */
  static void insert(Connection c, String messageKey, String payload, String appliedBy,
      ConsumerRecord<?, ?> record) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      bind(ps, messageKey, payload, appliedBy, record);
      ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, String messageKey, String payload, String appliedBy,
      ConsumerRecord<?, ?> r) throws SQLException {
    ps.setString(1, messageKey);
    ps.setString(2, payload);
    ps.setString(3, appliedBy);
    ps.setString(4, r.topic());
    ps.setInt(5, r.partition());
    ps.setLong(6, r.offset());
  }

  /** The record's idempotency key as the engine reads it (the last header). */
  static String idempotencyKey(ConsumerRecord<?, ?> r) {
    Header h = r.headers().lastHeader(KeyStrategy.DEFAULT_HEADER);
    return h == null ? "<none>" : new String(h.value(), StandardCharsets.UTF_8);
  }
}

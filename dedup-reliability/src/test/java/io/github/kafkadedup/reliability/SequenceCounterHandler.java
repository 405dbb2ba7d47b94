package io.github.kafkadedup.reliability;

import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.DedupContext;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.consumer.RecordHandler;
import io.github.kafkadedup.consumer.Sequencing;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The business effect of {@link SequencingScenarioIT}: update {@code n} of a sequence (the record key) must find
 * the sequence's counter in {@value #COUNTERS} at {@code n - 1} and sets it to {@code n}. An update that finds
 * anything else (applied out of order, or a second time) still commits, but leaves a row in {@value #VIOLATIONS}
 * saying what it found, so the database, not the test, detects the break. Each application also writes an
 * effect row ({@link EffectsHandler#insert}), so a double application shows there too.
 *
 * <p>The value is {@code <n>} or, for a poison update, {@code poison:<n>}: the handler refuses it until it is
 * {@code fixed} (the replay phase's consumers), like a bug fixed and redeployed.
 */
final class SequenceCounterHandler implements RecordHandler<String, String> {
  static final String COUNTERS = "shop.sequence_counters";
  static final String VIOLATIONS = "shop.sequence_violations";
  private static final String ADVANCE = "UPDATE " + COUNTERS + " SET counter = ? WHERE sequence_key = ? "
      + "AND counter = ?";
  private static final String VIOLATION = "INSERT INTO " + VIOLATIONS + " (sequence_key, update_no, found, "
      + "applied_by) SELECT ?, ?, (SELECT counter FROM " + COUNTERS + " WHERE sequence_key = ?), ?";

  private final String appliedBy;
  private final boolean fixed;

  SequenceCounterHandler(String appliedBy, boolean fixed) {
    this.appliedBy = appliedBy;
    this.fixed = fixed;
  }

  /** The tables (run by the schema's owner or an administrator), each counter at 0, and the runtime role's rights. */
  static String[] ddl(String app) {
    return new String[] {
      "CREATE TABLE " + COUNTERS + " (sequence_key text PRIMARY KEY, counter int NOT NULL CHECK (counter >= 0))",
      "CREATE TABLE " + VIOLATIONS + " (sequence_key text NOT NULL, update_no int NOT NULL, found int, "
          + "applied_by text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())",
      "GRANT SELECT, UPDATE ON " + COUNTERS + " TO " + app, "GRANT SELECT, INSERT ON " + VIOLATIONS + " TO " + app};
  }

  /**
   * Sets {@code builder} up as a sequenced service: this handler, sequencing by record key, the dead-letter
   * table; returns the started relay that publishes the dead letters and the replayed records.
   */
  static OutboxRelay sequenced(DedupConsumer.Builder<String, String> builder, DataSource ds, String bootstrap,
      String name, boolean fixed) {
    builder.recordHandler(new SequenceCounterHandler(name, fixed))
        .sequencing(Sequencing.byRecordKey())
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer()));
    return OutboxRelay.builder(ds, IdempotentProducerConfig.builder().bootstrapServers(bootstrap)
            .override("linger.ms", 5).build())
        .schema(DedupSchema.of(ReliabilityDb.SCHEMA)).name("relay-" + name).batchSize(200).pollInterval(Duration.ofMillis(200))
        .rebalanceInterval(Duration.ofMillis(300)).maxBackoff(Duration.ofSeconds(1)).build().start();
  }

  @Override
  public void handle(ConsumerRecord<String, String> r, DedupContext tx) throws Exception {
    String value = r.value();
    boolean poison = value.startsWith(EffectsHandler.POISON_PREFIX);
    if (poison && !fixed) {
      throw new IllegalArgumentException("poison update " + EffectsHandler.idempotencyKey(r)
          + " refused by the handler");
    }
    int n = Integer.parseInt(poison ? value.substring(EffectsHandler.POISON_PREFIX.length()) : value);
    Connection c = tx.connection();
    try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
      ps.setInt(1, n);
      ps.setString(2, r.key());
      ps.setInt(3, n - 1);
      if (ps.executeUpdate() != 1) {
        recordViolation(c, r.key(), n);
      }
    }
    EffectsHandler.insert(c, EffectsHandler.idempotencyKey(r), value, appliedBy, r);
  }

  private void recordViolation(Connection c, String sequence, int n) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(VIOLATION)) {
      ps.setString(1, sequence);
      ps.setInt(2, n);
      ps.setString(3, sequence);
      ps.setString(4, appliedBy);
      ps.executeUpdate();
    }
  }
}

package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Bytes per row of {@code processed_messages} on the real PostgreSQL. In CI with 20,000 keys, as a guard
 * against a schema change that bloats every claim (an extra index, a wide column); the figure in
 * docs/retention-and-sizing.md comes from {@code -Ddedup.sizing.rows=1000000} (see the doc for the command).
 */
class ProcessedMessagesSizingIT {
  private static final int ROWS = Integer.getInteger("dedup.sizing.rows", 20_000);

  /** Random UUIDv4 text keys, like most idempotency keys. */
  private static final String RANDOM_KEYS = "gen_random_uuid()::text";
  /** UUIDv7-like text keys (48-bit millisecond prefix), like the library's producer interceptor stamps. */
  private static final String TIME_ORDERED_KEYS = "substr(lpad(to_hex(1763800000000 + i), 12, '0'), 1, 8) || '-' "
      + "|| substr(lpad(to_hex(1763800000000 + i), 12, '0'), 9, 4) || substr(gen_random_uuid()::text, 14)";

  @Test
  void bytesPerRow() throws Exception {
    // measured: 227 (random) and 204 (time-ordered) bytes per row at 1,000,000 rows on PostgreSQL 18
    assertThat(measure("random UUIDv4 keys", RANDOM_KEYS)).isBetween(150.0, 320.0);
    assertThat(measure("time-ordered UUIDv7-like keys", TIME_ORDERED_KEYS)).isBetween(150.0, 300.0);
  }

  private static double measure(String label, String keyExpression) throws Exception {
    try (TestDatabase db = TestPostgres.get().createDatabase("sizing")) {
      DedupMigrations.migrate(db.dataSource());
      long start = System.nanoTime();
      // 1,000 keys per transaction, in key-generation order, as the consumer claims them
      for (int batch = 0; batch < ROWS / 1_000; batch++) {
        db.execute("INSERT INTO processed_messages (scope, message_key, topic, kafka_partition, kafka_offset) "
            + "SELECT 'order-service', " + keyExpression + ", 'orders.v1', i % 12, i FROM generate_series("
            + batch * 1_000 + ", " + (batch * 1_000 + 999) + ") AS i");
      }
      long insertMs = (System.nanoTime() - start) / 1_000_000;
      db.execute("VACUUM ANALYZE processed_messages");
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), count(*), "
              + "pg_total_relation_size('processed_messages'), pg_relation_size('processed_messages'), "
              + "pg_relation_size('processed_messages_pk'), pg_relation_size('processed_messages_at_brin'), "
              + "avg(pg_column_size(p.*)) FROM processed_messages p")) {
        rs.next();
        long rows = rs.getLong(2);
        System.out.printf("SIZING | PostgreSQL %s | %s | %,d rows | total %,d bytes = %.1f bytes/row | heap %.1f | "
                + "pk %.1f | brin %,d bytes | avg row %.1f bytes | inserted in %,d ms%n", rs.getString(1), label, rows,
            rs.getLong(3), rs.getLong(3) / (double) rows, rs.getLong(4) / (double) rows,
            rs.getLong(5) / (double) rows, rs.getLong(6), rs.getDouble(7), insertMs);
        assertThat(rows).isEqualTo(ROWS);
        return rs.getLong(3) / (double) rows;
      }
    }
  }
}

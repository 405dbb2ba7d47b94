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
 * Bytes per claimed key in a generation of {@code claims} on the real PostgreSQL. In CI with 20,000 keys,
 * as a guard against a schema change that bloats every claim (an extra index, a wide column); the figure in
 * docs/retention-and-sizing.md comes from {@code -Ddedup.sizing.rows=1000000} (see the doc for the command).
 */
class ClaimsSizingIT {
  private static final int ROWS = Integer.getInteger("dedup.sizing.rows", 20_000);

  /** Random UUIDv4 keys, like most idempotency keys. */
  private static final String RANDOM_KEYS = "gen_random_uuid()";
  /** UUIDv7-like keys (48-bit millisecond prefix), like the library's producer interceptor stamps. */
  private static final String TIME_ORDERED_KEYS = "(substr(lpad(to_hex(1763800000000 + i), 12, '0'), 1, 8) || '-' "
      + "|| substr(lpad(to_hex(1763800000000 + i), 12, '0'), 9, 4) || substr(gen_random_uuid()::text, 14))::uuid";
  /** Business ids that are not UUIDs: hashed to version-8 UUIDs. */
  private static final String HASHED_KEYS = "dedup_key_id('order-' || i)";

  @Test
  void bytesPerKey() throws Exception {
    // measured at 1,000,000 keys on PostgreSQL 18: see docs/retention-and-sizing.md
    assertThat(measure("random UUIDv4 keys", RANDOM_KEYS)).isBetween(80.0, 150.0);
    assertThat(measure("time-ordered UUIDv7-like keys", TIME_ORDERED_KEYS)).isBetween(80.0, 130.0);
    assertThat(measure("hashed text keys", HASHED_KEYS)).isBetween(80.0, 150.0);
  }

  private static double measure(String label, String keyExpression) throws Exception {
    try (TestDatabase db = TestPostgres.get().createDatabase("sizing")) {
      DedupMigrations.migrate(db.dataSource());
      long start = System.nanoTime();
      // 1,000 keys per transaction, in key-generation order, as the consumer claims them
      for (int batch = 0; batch < ROWS / 1_000; batch++) {
        db.execute("INSERT INTO claims (scope_id, generation, kafka_offset, key_id, kafka_partition) "
            + "SELECT 1, 1, i, " + keyExpression + ", i % 12 FROM generate_series("
            + batch * 1_000 + ", " + (batch * 1_000 + 999) + ") AS i");
      }
      long insertMs = (System.nanoTime() - start) / 1_000_000;
      db.execute("VACUUM ANALYZE claims_g1");
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), count(*), "
              + "pg_total_relation_size('claims_g1'), pg_relation_size('claims_g1'), "
              + "pg_indexes_size('claims_g1'), avg(pg_column_size(p.*)) FROM claims_g1 p")) {
        rs.next();
        long rows = rs.getLong(2);
        System.out.printf("SIZING | PostgreSQL %s | %s | %,d keys | total %,d bytes = %.1f bytes/key | heap %.1f | "
                + "pk %.1f | avg row %.1f bytes | inserted in %,d ms%n", rs.getString(1), label, rows,
            rs.getLong(3), rs.getLong(3) / (double) rows, rs.getLong(4) / (double) rows,
            rs.getLong(5) / (double) rows, rs.getDouble(6), insertMs);
        assertThat(rows).isEqualTo(ROWS);
        return rs.getLong(3) / (double) rows;
      }
    }
  }
}

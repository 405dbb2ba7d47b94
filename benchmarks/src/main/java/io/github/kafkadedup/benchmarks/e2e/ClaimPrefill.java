package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.migrations.DedupSchema;
import java.util.Locale;

/**
 * Fills the claim table with keys claimed earlier in the consumer's own scope, as a service that has run
 * for a while would have it: random UUID keys (as the harness's producer sends; stored as themselves) in
 * the current generation, then {@code VACUUM ANALYZE}, as autovacuum would have left it.
 */
final class ClaimPrefill {
  private static final long CHUNK = 1_000_000;

  private ClaimPrefill() {}

  static void fill(BenchDatabase db, String scope, long keys) {
    DedupSchema schema = DedupSchema.DEFAULT;
    long t0 = System.nanoTime();
    // the scope registered as the consumer would register it on its first claim
    db.execute("INSERT INTO " + schema.scopes() + " (scope) VALUES ('" + scope + "')");
    for (long lo = 1; lo <= keys; lo += CHUNK) {
      long hi = Math.min(keys, lo + CHUNK - 1);
      db.execute("INSERT INTO " + schema.claims() + " (scope_id, generation, kafka_offset, key_id, kafka_partition)"
          + " SELECT s.scope_id, g.cur, i, gen_random_uuid(), i % 12 FROM generate_series(" + lo + ", " + hi + ") i,"
          + " (SELECT scope_id FROM " + schema.scopes() + " WHERE scope = '" + scope + "') s,"
          + " (SELECT max(generation) AS cur FROM " + schema.generations() + ") g");
    }
    db.execute("VACUUM ANALYZE " + schema.claims());
    System.err.printf(Locale.ROOT, "pre-filled %,d claims in %.1f s%n", keys, (System.nanoTime() - t0) / 1e9);
  }
}

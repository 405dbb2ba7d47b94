package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.migrations.DedupSchema;
import java.util.Locale;

/**
 * Fills the claim table with keys claimed earlier in the consumer's own scope, as a service that has run
 * for a while would have it: random UUID keys, or older UUIDv7 keys with {@code --keys uuidv7} (as the
 * harness's producer sends; stored as themselves) in
 * the current generation, then {@code VACUUM ANALYZE}, as autovacuum would have left it.
 */
final class ClaimPrefill {
  private static final long CHUNK = 1_000_000;
  /** The i-th pre-filled UUIDv7 key: 8 per millisecond from three days ago on, older than the run's keys. */
  private static final String UUIDV7 = "(lpad(to_hex((extract(epoch FROM now() - interval '3 days') * 1000)::bigint"
      + " + i / 8), 12, '0') || '7' || substr(md5(i::text), 1, 3) || '8' || substr(md5(i::text), 4, 15))::uuid";

  private ClaimPrefill() {}

  static void fill(BenchDatabase db, String scope, long keys, boolean uuidv7) {
    DedupSchema schema = DedupSchema.DEFAULT;
    long t0 = System.nanoTime();
    // the scope registered as the consumer would register it on its first claim
    db.execute("INSERT INTO " + schema.scopes() + " (scope) VALUES ('" + scope + "')");
    for (long lo = 1; lo <= keys; lo += CHUNK) {
      long hi = Math.min(keys, lo + CHUNK - 1);
      db.execute("INSERT INTO " + schema.claims() + " (scope_id, generation, kafka_offset, key_id, kafka_partition)"
          + " SELECT s.scope_id, g.cur, i, " + (uuidv7 ? UUIDV7 : "gen_random_uuid()") + ", i % 12"
          + " FROM generate_series(" + lo + ", " + hi + ") i,"
          + " (SELECT scope_id FROM " + schema.scopes() + " WHERE scope = '" + scope + "') s,"
          + " (SELECT max(generation) AS cur FROM " + schema.generations() + ") g");
    }
    db.execute("VACUUM ANALYZE " + schema.claims());
    System.err.printf(Locale.ROOT, "pre-filled %,d claims in %.1f s%n", keys, (System.nanoTime() - t0) / 1e9);
  }
}

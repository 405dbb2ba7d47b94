package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.migrations.DedupSchema;
import java.util.Locale;

/**
 * Fills the claim table with keys claimed earlier in the consumer's own scope (as a service that has run
 * for a while would have it): random UUID text keys, as the harness's producer sends, claimed within the
 * last day. Then {@code VACUUM ANALYZE}, as autovacuum would have left it.
 */
final class ClaimPrefill {
  private static final long CHUNK = 1_000_000;

  private ClaimPrefill() {}

  static void fill(BenchDatabase db, String scope, long keys) {
    String table = DedupSchema.DEFAULT.processedMessages();
    long t0 = System.nanoTime();
    for (long lo = 1; lo <= keys; lo += CHUNK) {
      long hi = Math.min(keys, lo + CHUNK - 1);
      db.execute("INSERT INTO " + table + " (scope, message_key, topic, kafka_partition, kafka_offset,"
          + " processed_at) SELECT '" + scope + "', gen_random_uuid()::text, 'e2e-prefill', i % 12, i,"
          + " now() - interval '1 day' + i * interval '10 us' FROM generate_series(" + lo + ", " + hi + ") i");
    }
    db.execute("VACUUM ANALYZE " + table);
    System.err.printf(Locale.ROOT, "pre-filled %,d claims in %.1f s%n", keys, (System.nanoTime() - t0) / 1e9);
  }
}

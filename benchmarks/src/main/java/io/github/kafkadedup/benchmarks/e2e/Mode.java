package io.github.kafkadedup.benchmarks.e2e;

/** What a consumer does per poll batch in the end-to-end harness. */
enum Mode {
  /** At-least-once: the batched business insert in one transaction, then the Kafka offset commit. */
  BASELINE("at-least-once baseline (no dedup)"),
  /** kafka-dedup's {@code DedupConsumer}: one claim round trip plus the batched business insert. */
  CLAIMS("kafka-dedup, key claims (DedupConsumer)"),
  /** kafka-dedup with {@code offsetsInDatabase(true)}: key claims plus a fenced offset row per partition. */
  OFFSETS("kafka-dedup, key claims + offsets in PostgreSQL"),
  /** {@code offsetsInDatabase(true)} with {@code KeyStrategy.none()}: redelivery fenced by offsets alone. */
  OFFSETS_ONLY("kafka-dedup, offsets in PostgreSQL, no key claims (redelivery only)"),
  /** One transaction per record: claim the key, insert the business row, commit. */
  PER_RECORD("per-record transaction with a per-record claim"),
  /**
   * {@code DedupConsumer} as in {@link #CLAIMS}, replaying after a group reset: an unmeasured pass claims
   * the records, the consumer group is deleted, and the measured pass reads them again (100 % duplicates).
   */
  REPLAY("kafka-dedup, key claims, replay after a group reset (100 % duplicates)");

  final String label;

  Mode(String label) {
    this.label = label;
  }

  /** Whether this mode claims dedup keys (and so meets a pre-filled claim table). */
  boolean claimsKeys() {
    return this == CLAIMS || this == OFFSETS || this == PER_RECORD || this == REPLAY;
  }
}

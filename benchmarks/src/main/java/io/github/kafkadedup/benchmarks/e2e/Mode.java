package io.github.kafkadedup.benchmarks.e2e;

/** What a consumer does per poll batch in the end-to-end harness. */
enum Mode {
  /** At-least-once: the batched business insert in one transaction, then the Kafka offset commit. */
  BASELINE("at-least-once baseline (no dedup)"),
  /** kafka-dedup's {@code DedupConsumer}: one claim round trip plus the batched business insert. */
  CLAIMS("kafka-dedup, key claims (DedupConsumer)"),
  /**
   * {@code DedupConsumer} with a {@code RecordHandler}: the same claims, and the business insert one record at a
   * time (one statement each), as a Spring record listener does it: the plain engine's yardstick for
   * {@link #SPRING_RECORD}.
   */
  CLAIMS_RECORD("kafka-dedup, key claims, record handler (one insert per record)"),
  /**
   * {@link #CLAIMS} with sequencing on ({@code Sequencing.byRecordKey()}, {@code Recoverer.deadLetterTable}) and
   * nothing parked: the cost of sequencing when no dead letter holds a sequence back.
   */
  SEQUENCED("kafka-dedup, key claims, sequencing on (nothing parked)"),
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
  REPLAY("kafka-dedup, key claims, replay after a group reset (100 % duplicates)"),
  /**
   * {@code DedupConsumer}, and one {@code DedupContext.send} per record through the outbox; a relay in the same
   * process publishes; timed until the outgoing topic holds every record.
   */
  OUTBOX("kafka-dedup + one outbox send per record, relay in process, until all are on the outgoing topic"),
  /**
   * {@code DedupConsumer}, and one {@code KafkaProducer.send} per record from the handler (flushed before the
   * transaction commits: at-least-once sends); timed until the outgoing topic holds every record.
   */
  DIRECT_SEND("kafka-dedup + one KafkaProducer send per record (at-least-once), until all are on the topic"),
  /** An at-least-once Spring Boot record {@code @KafkaListener} (no kafka-dedup): one autocommit insert each. */
  SPRING_ALO("Spring Boot record listener, at-least-once (no kafka-dedup)"),
  /** A Spring Boot record {@code @KafkaListener} with kafka-dedup's starter. */
  SPRING_RECORD("Spring Boot record listener, kafka-dedup starter"),
  /** A Spring Boot batch {@code @KafkaListener} with kafka-dedup's starter. */
  SPRING_BATCH("Spring Boot batch listener, kafka-dedup starter");

  /** The modes run when {@code --modes} is not given (the Spring and send modes are asked for by name). */
  static final java.util.List<Mode> DEFAULTS = java.util.List.of(BASELINE, CLAIMS, OFFSETS, OFFSETS_ONLY, PER_RECORD);

  final String label;

  Mode(String label) {
    this.label = label;
  }

  /** Whether this mode claims dedup keys (and so meets a pre-filled claim table). */
  boolean claimsKeys() {
    return this != BASELINE && this != OFFSETS_ONLY && this != SPRING_ALO;
  }

  /** Whether each consumed record is sent on to an outgoing topic (and the run ends when all arrived). */
  boolean sends() {
    return this == OUTBOX || this == DIRECT_SEND;
  }

  /** Whether the consumer is a Spring Boot application. */
  boolean spring() {
    return this == SPRING_ALO || this == SPRING_RECORD || this == SPRING_BATCH;
  }
}

package io.github.kafkadedup.benchmarks.e2e;

/** What a consumer does per poll batch in the end-to-end harness. */
enum Mode {
  /** At-least-once: the batched business insert in one transaction, then the Kafka offset commit. */
  BASELINE("at-least-once baseline (no dedup)"),
  /**
   * At-least-once with the natural-key table of {@link #NATURAL_KEY}: the same {@code ON CONFLICT DO NOTHING}
   * insert keyed by the order id, then the Kafka offset commit (what an application keyed by its order ids
   * does without kafka-dedup: the yardstick of the natural-key fast path).
   */
  BASELINE_NATURAL("at-least-once, business rows ON CONFLICT (order id) DO NOTHING (no kafka-dedup)"),
  /** kafka-dedup's {@code DedupConsumer}: one claim round trip plus the batched business insert. */
  CLAIMS("kafka-dedup, key claims (DedupConsumer)"),
  /**
   * {@code DedupConsumer} with a {@code RecordHandler}: the same claims, and the business insert one record at a
   * time (one statement each), as a Spring record listener does it: the plain engine's yardstick for
   * {@link #SPRING_RECORD}.
   */
  CLAIMS_RECORD("kafka-dedup, key claims, record handler (one insert per record)"),
  /** {@link #CLAIMS_RECORD} with spans on: batch, claim and one handler span per record (see {@link #OUTBOX_TRACED}). */
  CLAIMS_RECORD_TRACED("kafka-dedup, key claims, record handler, tracing on (OpenTelemetry SDK, spans discarded)"),
  /**
   * {@link #CLAIMS} with sequencing on ({@code Sequencing.byRecordKey()}, {@code Recoverer.deadLetterTable}) and
   * nothing parked: the cost of sequencing when no dead letter holds a sequence back.
   */
  SEQUENCED("kafka-dedup, key claims, sequencing on (nothing parked)"),
  /** kafka-dedup with {@code offsetsInDatabase(true)}: key claims plus a fenced offset row per partition. */
  OFFSETS("kafka-dedup, key claims + offsets in PostgreSQL"),
  /** {@code offsetsInDatabase(true)} with {@code KeyStrategy.none()}: redelivery fenced by offsets alone. */
  OFFSETS_ONLY("kafka-dedup, offsets in PostgreSQL, no key claims (redelivery only)"),
  /**
   * The natural-key fast path: {@code offsetsInDatabase(true)} with {@code KeyStrategy.none()}, and the business
   * rows keyed by the order id (here the record's unique {@code idempotency-key}) and written with
   * {@code INSERT ... ON CONFLICT DO NOTHING}: redelivery fenced by offsets, re-sends by the business key.
   */
  NATURAL_KEY("kafka-dedup, offsets in PostgreSQL, no key claims, business rows ON CONFLICT (order id) DO NOTHING"),
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
   * {@link #OUTBOX} with spans on (Micrometer Tracing over the OpenTelemetry SDK, spans exported to a discarding
   * exporter): batch, claim, handler, one outbox write per record, two relay spans per record.
   */
  OUTBOX_TRACED("kafka-dedup + outbox send per record + relay, tracing on (OpenTelemetry SDK, spans discarded)"),
  /**
   * {@code DedupConsumer}, and one {@code KafkaProducer.send} per record from the handler (flushed before the
   * transaction commits: at-least-once sends); timed until the outgoing topic holds every record.
   */
  DIRECT_SEND("kafka-dedup + one KafkaProducer send per record (at-least-once), until all are on the topic"),
  /**
   * Two hops: consumer A ({@code DedupConsumer}, key claims) writes its business row and one outbox send per
   * record to a second topic, a relay in process publishes, consumer B (key claims) writes its business row;
   * the run ends when B has applied every record (latency: from A's input send to B's commit).
   */
  OUTBOX_CHAIN("kafka-dedup chain: A + outbox -> relay -> B (claims on both hops), until B applied every record"),
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
    return this != BASELINE && this != BASELINE_NATURAL && this != OFFSETS_ONLY && this != NATURAL_KEY
        && this != SPRING_ALO;
  }

  /** Whether each consumed record is sent on to an outgoing topic (and the run ends when all arrived). */
  boolean sends() {
    return this == OUTBOX || this == OUTBOX_TRACED || this == DIRECT_SEND;
  }

  /** Whether the mode needs a second topic (the send modes' outgoing topic, the chain's middle topic). */
  boolean needsOutTopic() {
    return sends() || this == OUTBOX_CHAIN;
  }

  /** Whether the consumer is a Spring Boot application. */
  boolean spring() {
    return this == SPRING_ALO || this == SPRING_RECORD || this == SPRING_BATCH;
  }
}

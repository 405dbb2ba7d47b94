/**
 * The transactional outbox: {@link io.github.kafkadedup.outbox.Outbox} writes records in the
 * caller's database transaction, {@link io.github.kafkadedup.outbox.OutboxRelay} publishes them to
 * Kafka, {@link io.github.kafkadedup.outbox.DeadLetters} reads and replays dead letters.
 *
 * <p>API: {@code io.github.kafkadedup.outbox}. {@code io.github.kafkadedup.outbox.internal} is the
 * implementation; it is exported only to the engine module, which writes outbox rows and dead
 * letters inside its own claim transaction.
 */
// kafka-clients, Flyway, Micrometer and Spring publish no module descriptor: their names are
// automatic, and re-exporting them is what users of these types need
// "module": the qualified export names a module above this one, which javac cannot see yet
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.github.kafkadedup.outbox {
  // Outbox.schema() and the builders take DedupSchema
  requires transitive io.github.kafkadedup.migrations;
  // OutboxRelay.Builder takes the producer settings
  requires transitive io.github.kafkadedup.producer;
  // Outbox.send takes kafka Headers, the builders Serializers and Producers
  requires transitive kafka.clients;
  // the builders take an ObservationRegistry
  requires transitive micrometer.observation;
  requires transitive java.sql;
  requires org.slf4j;
  // optional (the poms mark them optional): metrics only when Micrometer is present
  // (OutboxMetrics.micrometer; not transitive, so that a module without Micrometer still compiles
  // against this one); the PostgreSQL driver's PGConnection for the relay's LISTEN/NOTIFY, which the
  // application's driver provides
  requires static micrometer.core;
  requires static org.postgresql.jdbc;
  // the nullness annotations on the API (type-use @Nullable): users' javac sees them, the JVM
  // does not need them
  requires static transitive org.jspecify;

  exports io.github.kafkadedup.outbox;
  // the engine writes outbox rows and dead letters inside its claim transaction: OutboxWriter,
  // OutboxBuffer, OutboxKeys, DeadLetterWriter, ParkedSequences, and shares Backoff and Observations;
  // no other module may
  exports io.github.kafkadedup.outbox.internal to
      io.github.kafkadedup.consumer;
}

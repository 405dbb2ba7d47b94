/**
 * The exactly-once engine: {@link io.github.kafkadedup.consumer.DedupConsumer} and
 * {@link io.github.kafkadedup.consumer.DedupProcessor} claim each record in PostgreSQL in the same
 * transaction as the handler's effects.
 *
 * <p>API: {@code io.github.kafkadedup.consumer}. {@code io.github.kafkadedup.consumer.internal} is the
 * engine itself; it is exported only to the Spring integration, whose listener adapters run the same
 * claim path inside Spring Kafka's containers.
 */
// kafka-clients, Flyway, Micrometer and Spring publish no module descriptor: their names are
// automatic, and re-exporting them is what users of these types need
// "module": the qualified export names a module above this one, which javac cannot see yet
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.github.kafkadedup.consumer {
  // DedupProcessor.Builder.outbox takes an Outbox; Recoverer dead letters go through DeadLetters
  requires transitive io.github.kafkadedup.outbox;
  requires transitive io.github.kafkadedup.migrations;
  // the handlers and DedupConsumer take ConsumerRecords and Consumers
  requires transitive kafka.clients;
  requires transitive micrometer.observation;
  requires transitive java.sql;
  requires org.slf4j;
  // the heartbeat names each consumer instance after the process id (RuntimeMXBean)
  requires java.management;
  // optional: metrics only when Micrometer is present (DedupMetrics.micrometer); not transitive, so
  // that a module without Micrometer still compiles against this one
  requires static micrometer.core;
  // the nullness annotations on the API (type-use @Nullable): users' javac sees them, the JVM
  // does not need them
  requires static transitive org.jspecify;

  exports io.github.kafkadedup.consumer;
  // Spring's listener adapters run the engine's claim path inside Spring Kafka: Plan, Classifier,
  // EngineRules, PoisonIsolation, DatabaseOutage, DeadLetterStore, OutboxWrites, SequenceGate (sequencing),
  // Heartbeat (dedup_heartbeats per consumer thread), and the actuator reads
  // StoreInspection (ModuleBoundaryTest keeps Spring to these); the CLI's lookup and forget read a key with
  // the engine's own statements (KeyLookupSql)
  exports io.github.kafkadedup.consumer.internal to
      io.github.kafkadedup.spring,
      io.github.kafkadedup.cli;
}

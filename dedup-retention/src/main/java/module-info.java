/**
 * Retention: {@link io.github.kafkadedup.retention.RetentionJob} deletes claims that can no longer be
 * replayed. One package, all API.
 */
// kafka-clients, Flyway, Micrometer and Spring publish no module descriptor: their names are
// automatic, and re-exporting them is what users of these types need
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.github.kafkadedup.retention {
  // RetentionJob takes the engine's DedupConsumer settings and DedupSchema
  requires transitive io.github.kafkadedup.consumer;
  requires transitive io.github.kafkadedup.migrations;
  // the replay horizon comes from the brokers (Admin)
  requires transitive kafka.clients;
  requires transitive java.sql;
  requires org.slf4j;
  // metrics only when Micrometer is present
  requires static micrometer.core;
  // the nullness annotations on the API (type-use @Nullable): users' javac sees them, the JVM
  // does not need them
  requires static transitive org.jspecify;

  exports io.github.kafkadedup.retention;
}

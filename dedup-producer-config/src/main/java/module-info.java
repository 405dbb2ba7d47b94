/**
 * Producer settings for exactly-once pipelines: idempotent, transactional Kafka producers and the
 * consumer settings that read only committed records. One package, all API.
 */
// kafka-clients, Flyway, Micrometer and Spring publish no module descriptor: their names are
// automatic, and re-exporting them is what users of these types need
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.github.kafkadedup.producer {
  // the settings are built from and handed to kafka-clients types; kafka-clients has no module
  // name of its own, so this is the name derived from its jar
  requires transitive kafka.clients;
  requires org.slf4j;
  // the nullness annotations on the API (type-use @Nullable): users' javac sees them, the JVM
  // does not need them
  requires static transitive org.jspecify;

  exports io.github.kafkadedup.producer;
}

/**
 * kafka-dedup for Spring Boot: listener adapters that run Spring Kafka listeners exactly once, the
 * auto-configuration that installs them, and the actuator endpoint and health check.
 *
 * <p>API: {@code io.github.kafkadedup.spring} (adapters, {@code DedupListeners}, the transactional
 * outbox), {@code .spring.autoconfigure} (the {@code kafka.dedup.*} properties) and
 * {@code .spring.actuate}. It reads the engine's {@code consumer.internal} package through a
 * qualified export of the engine module. Spring Boot itself is optional: without it the adapters are
 * wired by hand.
 */
// kafka-clients, Flyway, Micrometer and Spring publish no module descriptor: their names are
// automatic, and re-exporting them is what users of these types need
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.github.kafkadedup.spring {
  // the adapters wrap and return Spring Kafka listener types and take the engine's API types
  requires transitive io.github.kafkadedup.consumer;
  requires transitive io.github.kafkadedup.retention;
  requires transitive spring.kafka;
  requires transitive spring.jdbc;
  requires transitive spring.tx;
  // the auto-configuration's public @Bean methods take ObjectProviders and carry Spring annotations
  requires transitive spring.beans;
  requires transitive spring.context;
  requires transitive spring.core;
  requires org.slf4j;
  requires micrometer.observation;
  // optional integrations, each used only by the auto-configuration that its presence switches on;
  // not transitive although their annotations and types appear on our public classes
  // (@AutoConfiguration, @ConfigurationProperties, @Endpoint, HealthIndicator, MeterRegistry), so that
  // an application without them still compiles (the pom turns -Xlint:exports off for this reason)
  requires static spring.boot;
  requires static spring.boot.autoconfigure;
  requires static spring.boot.kafka;
  requires static spring.boot.jdbc;
  requires static spring.boot.health;
  requires static spring.boot.actuator;
  requires static spring.boot.actuator.autoconfigure;
  requires static micrometer.core;
  requires static com.zaxxer.hikari;
  requires static com.fasterxml.jackson.annotation;
  // the nullness annotations on the API (type-use @Nullable): users' javac sees them, the JVM
  // does not need them
  requires static transitive org.jspecify;

  exports io.github.kafkadedup.spring;
  exports io.github.kafkadedup.spring.autoconfigure;
  exports io.github.kafkadedup.spring.actuate;

  // Spring reflects over these on the module path: it subclasses @Configuration classes (CGLIB, in
  // spring.core), binds @ConfigurationProperties (spring.boot) and invokes endpoint operations
  opens io.github.kafkadedup.spring.autoconfigure to
      spring.core,
      spring.beans,
      spring.context,
      spring.boot;
  opens io.github.kafkadedup.spring.actuate to
      spring.core,
      spring.beans,
      spring.context,
      spring.boot.actuator;
}

/**
 * Spring Boot auto-configuration of kafka-dedup: binds the {@code dedup.*} properties, runs the library's
 * migrations on request, registers Micrometer meters and makes every {@code @KafkaListener} exactly-once.
 */
@NullMarked
package io.github.kafkadedup.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;

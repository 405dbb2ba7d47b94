/**
 * Exactly-once {@code @KafkaListener} methods with Spring Kafka: {@link io.github.kafkadedup.spring.DedupListeners}
 * wraps a listener container's listener so that each record's dedup key is claimed in the same Spring-managed
 * database transaction as the listener's own writes, and duplicates never reach the listener.
 */
@NullMarked
package io.github.kafkadedup.spring;

import org.jspecify.annotations.NullMarked;

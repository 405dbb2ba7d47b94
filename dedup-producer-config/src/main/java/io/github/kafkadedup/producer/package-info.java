/**
 * Kafka client settings for exactly-once effects with kafka-dedup.
 *
 * <ul>
 *   <li>{@link io.github.kafkadedup.producer.IdempotentProducerConfig}: an idempotent (optionally
 *       transactional) producer whose settings cannot silently lose idempotence or ordering.
 *   <li>{@link io.github.kafkadedup.producer.DedupConsumerConfig}: a consumer for dedup processing (no
 *       auto-commit, {@code read_committed}, cooperative or KIP-848 rebalancing).
 *   <li>{@link io.github.kafkadedup.producer.IdempotencyKeyInterceptor} and
 *       {@link io.github.kafkadedup.producer.IdempotencyKeys}: a time-ordered key in the
 *       {@code idempotency-key} header of every record, so consumers can drop application-level re-sends.
 *   <li>{@link io.github.kafkadedup.producer.TopicReadiness}: waits until a newly created topic accepts
 *       writes, so the first batches of an idempotent producer are not lost (KAFKA-15591).
 * </ul>
 *
 * <p>The presets are plain {@code Map<String, Object>} values: they work with {@code KafkaProducer},
 * {@code KafkaConsumer} and Spring Kafka's {@code DefaultKafkaProducerFactory} /
 * {@code DefaultKafkaConsumerFactory} without a Spring dependency in this module.
 */
@NullMarked
package io.github.kafkadedup.producer;

import org.jspecify.annotations.NullMarked;

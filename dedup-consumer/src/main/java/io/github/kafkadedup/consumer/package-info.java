/**
 * The exactly-once engine for Kafka consumers that write to PostgreSQL.
 *
 * <p>Start with {@link io.github.kafkadedup.consumer.DedupConsumer} (a complete kafka-clients poll loop)
 * or {@link io.github.kafkadedup.consumer.DedupProcessor} (one poll batch, for your own loop). Both claim
 * each record's dedup key ({@link io.github.kafkadedup.consumer.KeyStrategy}) in the same PostgreSQL
 * transaction as your handler's writes, and hand back the Kafka offsets to commit only after that
 * transaction committed.
 */
@NullMarked
package io.github.kafkadedup.consumer;

import org.jspecify.annotations.NullMarked;

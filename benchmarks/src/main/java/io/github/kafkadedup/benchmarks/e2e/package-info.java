/**
 * The end-to-end harness: records through a real Kafka broker into PostgreSQL with a business row per
 * record, at-least-once baseline against kafka-dedup's modes and per-record transactions.
 */
@org.jspecify.annotations.NullMarked
package io.github.kafkadedup.benchmarks.e2e;

/**
 * JMH benchmarks of what a claim costs: kafka-dedup's one-round-trip claim, the hand-written
 * alternatives (one insert per key, select then insert, a savepoint per key), the peers' real libraries
 * (Spring Integration's {@code JdbcMetadataStore}, Apache Camel's {@code JdbcMessageIdRepository}) and a
 * plain insert without deduplication as the floor.
 */
@org.jspecify.annotations.NullMarked
package io.github.kafkadedup.benchmarks.claim;

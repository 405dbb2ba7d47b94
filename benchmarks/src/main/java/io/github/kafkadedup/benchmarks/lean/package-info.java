/**
 * The lean-claim experiment: the V1 {@code processed_messages} table against narrower alternatives,
 * measured in fresh keys per second and WAL bytes per key with a one-row business insert in the same
 * transaction.
 */
@org.jspecify.annotations.NullMarked
package io.github.kafkadedup.benchmarks.lean;

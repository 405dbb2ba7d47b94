/**
 * kafka-dedup's benchmarks: {@link io.github.kafkadedup.benchmarks.BenchmarkMain} runs the JMH
 * benchmarks against one PostgreSQL server (embedded unless {@code DEDUP_TEST_JDBC_URL} names one);
 * {@link io.github.kafkadedup.benchmarks.BenchDatabase} gives each trial a database of its own.
 */
@org.jspecify.annotations.NullMarked
package io.github.kafkadedup.benchmarks;

/** JMH benchmarks of the key strategies and of the in-batch duplicate removal (no database). */
@org.jspecify.annotations.NullMarked
package io.github.kafkadedup.benchmarks.keys;

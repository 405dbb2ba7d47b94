/** A plain kafka-clients order service on kafka-dedup's {@code DedupConsumer}, writing with jOOQ. */
package io.github.kafkadedup.examples.plain;

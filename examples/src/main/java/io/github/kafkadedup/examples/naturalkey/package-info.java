/**
 * The natural-key fast path: a {@code DedupConsumer} with {@code KeyStrategy.none()} and offsets in PostgreSQL,
 * whose handler inserts the business row with {@code INSERT ... ON CONFLICT (order_id) DO NOTHING}; no claim
 * row is written (docs/performance.md, "The natural-key fast path").
 */
package io.github.kafkadedup.examples.naturalkey;

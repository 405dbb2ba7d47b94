/**
 * The transactional outbox: Kafka records written to PostgreSQL in the sender's transaction and published
 * by a relay only after that transaction committed.
 *
 * <p>Configure an {@link io.github.kafkadedup.outbox.Outbox} once (serializers, schema) and send from a
 * handler ({@code DedupContext.send} of dedup-consumer) or from any transaction
 * ({@link io.github.kafkadedup.outbox.Outbox#send}); run an {@link io.github.kafkadedup.outbox.OutboxRelay}
 * in one or more instances of the service to publish the rows.
 *
 * <p>Dead letters ({@code Recoverer.deadLetterTable}) are stored in PostgreSQL with their key's claim and
 * published by the same relay; {@link io.github.kafkadedup.outbox.DeadLetters} lists, shows, replays and
 * discards them.
 */
@NullMarked
package io.github.kafkadedup.outbox;

import org.jspecify.annotations.NullMarked;

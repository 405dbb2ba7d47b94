/**
 * The engine's steps for integrations that run their own transactions and listener containers (the Spring Boot
 * starter): {@link io.github.kafkadedup.consumer.spi.Plan} derives the keys of a poll,
 * {@link io.github.kafkadedup.consumer.spi.Classifier} claims them on the caller's connection and decides
 * every record by the engine's rules (fresh, repeat, redelivery, re-send, dead-lettered),
 * {@link io.github.kafkadedup.consumer.spi.DeadLetterStore} dead-letters a record exactly once (its {@code D} claim
 * and its {@code dead_letters} row in the caller's transaction), {@link io.github.kafkadedup.consumer.spi.OutboxWrites}
 * writes outbox rows with keys the integration derives, and
 * {@link io.github.kafkadedup.consumer.spi.EngineRules} holds the shared rules on settings and failures.
 * A service provider interface: stable within a release line, for integrations rather than applications; the
 * engine's implementation stays in {@code internal}, which integrations must not use.
 */
@NullMarked
package io.github.kafkadedup.consumer.spi;

import org.jspecify.annotations.NullMarked;

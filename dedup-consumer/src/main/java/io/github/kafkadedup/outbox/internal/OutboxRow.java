package io.github.kafkadedup.outbox.internal;

import org.jspecify.annotations.Nullable;

/** One outbox row as written (id not yet known) or as read by the relay. */
public record OutboxRow(long id, int lane, String topic, byte @Nullable [] key, byte @Nullable [] value,
    byte @Nullable [] headers) {}

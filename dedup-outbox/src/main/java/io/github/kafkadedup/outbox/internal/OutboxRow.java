package io.github.kafkadedup.outbox.internal;

import org.jspecify.annotations.Nullable;

/**
 * One outbox row as written (id not yet known) or as read by the relay; {@code deadLetterId} names the
 * {@code dead_letters} row it is the dead-letter copy of (null for every other row).
 */
public record OutboxRow(long id, int lane, String topic, byte @Nullable [] key, byte @Nullable [] value,
    byte @Nullable [] headers, @Nullable Long deadLetterId) {

  /** A row to insert: its lane from {@code topic} and {@code key}. */
  public static OutboxRow toInsert(String topic, byte @Nullable [] key, byte @Nullable [] value,
      byte @Nullable [] headers, @Nullable Long deadLetterId) {
    return new OutboxRow(0, OutboxKeys.lane(topic, key), topic, key, value, headers, deadLetterId);
  }
}

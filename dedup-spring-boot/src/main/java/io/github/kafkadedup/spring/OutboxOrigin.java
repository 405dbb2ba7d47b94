package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.internal.OutboxWrites;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The record a dedup listener is handling on this thread, so that {@link TransactionalOutbox} derives each
 * send's idempotency key from its dedup key and the send's position (as the plain engine does).
 */
final class OutboxOrigin {
  private static final ThreadLocal<@Nullable OutboxOrigin> CURRENT = new ThreadLocal<>();

  private final String scope;
  private final String key;
  private int position;

  private OutboxOrigin(String scope, String key) {
    this.scope = scope;
    this.key = key;
  }

  /** Runs {@code listener} with {@code key} (the dedup key of the handled record) as the origin of its sends. */
  static void during(String scope, @Nullable String key, Runnable listener) {
    OutboxOrigin previous = CURRENT.get();
    CURRENT.set(key == null ? null : new OutboxOrigin(scope, key));
    try {
      listener.run();
    } finally {
      CURRENT.set(previous);
    }
  }

  /** The next send's key: derived inside a dedup listener, {@code null} elsewhere. */
  static @Nullable UUID nextKey() {
    OutboxOrigin origin = CURRENT.get();
    return origin == null ? null : OutboxWrites.derivedKey(origin.scope, origin.key, origin.position++);
  }
}

package io.github.kafkadedup.consumer.internal;

import java.sql.SQLTransientException;

/**
 * The stored offset of a partition is past the first record of a transaction: an earlier transaction of
 * this consumer committed those records although its client saw the commit fail (outcome unknown).
 * Transient: the retry reads the stored offset and skips them (see {@link OffsetFence}).
 */
final class StoredOffsetMoved extends SQLTransientException {
  private static final long serialVersionUID = 1L;

  StoredOffsetMoved(String message) {
    super(message);
  }
}

package io.github.kafkadedup.consumer;

/** Why a record was recognised as a duplicate. */
public enum DuplicateCause {
  /** The same record again (same topic, partition and offset): a crash, rebalance or seek replayed it. */
  REDELIVERY,
  /** The same key at another offset: the producer or an upstream service published the message again. */
  RESEND
}

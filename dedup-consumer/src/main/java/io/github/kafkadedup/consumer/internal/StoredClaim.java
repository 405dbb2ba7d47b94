package io.github.kafkadedup.consumer.internal;

/**
 * A stored claim: the partition and offset of the record that claimed the key (its topic is not stored: a
 * redelivery is the same partition and offset) and whether it was dead-lettered.
 */
public record StoredClaim(int partition, long offset, boolean deadLettered) {}

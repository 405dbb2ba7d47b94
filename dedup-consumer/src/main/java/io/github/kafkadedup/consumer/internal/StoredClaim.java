package io.github.kafkadedup.consumer.internal;

/** A row of {@code processed_messages}: where a key was first seen and its status. */
public record StoredClaim(String topic, int partition, long offset, boolean deadLettered) {}

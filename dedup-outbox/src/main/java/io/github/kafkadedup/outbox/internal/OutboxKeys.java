package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.outbox.Outbox;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

/** Idempotency keys and lanes of outbox rows. */
public final class OutboxKeys {
  private OutboxKeys() {}

  /**
   * The key of the {@code position}-th send (0-based) made while handling the record claimed as
   * {@code origin} in {@code scope}: a version 8 UUID (RFC 9562) from the first 16 bytes of
   * SHA-256("scope/origin/position"). The scope keeps two services that consume the same record apart.
   */
  public static UUID derived(String scope, String origin, int position) {
    byte[] hash = sha256((scope + "/" + origin + "/" + position).getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0F) | 0x80); // version 8
    hash[8] = (byte) ((hash[8] & 0x3F) | 0x80); // variant 10
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) {
      msb = msb << 8 | (hash[i] & 0xFF);
      lsb = lsb << 8 | (hash[8 + i] & 0xFF);
    }
    return new UUID(msb, lsb);
  }

  /**
   * The lane of a record: Kafka's murmur2 (stable across versions and JVMs) of the topic, a zero byte and
   * the serialized key, modulo {@link Outbox#LANES}. Equal (topic, key) always share a lane.
   */
  public static int lane(String topic, byte @Nullable [] key) {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    byte[] k = key == null ? new byte[0] : key;
    byte[] all = new byte[t.length + 1 + k.length];
    System.arraycopy(t, 0, all, 0, t.length);
    System.arraycopy(k, 0, all, t.length + 1, k.length);
    return Utils.toPositive(Utils.murmur2(all)) % Outbox.LANES;
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}

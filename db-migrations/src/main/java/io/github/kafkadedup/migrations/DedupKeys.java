package io.github.kafkadedup.migrations;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.UUID;

/**
 * How a dedup key (text) becomes the 16-byte id stored in the claim table since schema version 2. The
 * SQL function {@code dedup_key_id(text)} of the migration does exactly the same, so an operator finds a
 * key from psql: {@code SELECT * FROM claims WHERE key_id = dedup_key_id('order-42')}.
 *
 * <ul>
 *   <li>A key that is a UUID in canonical form (8-4-4-4-12 hexadecimal digits, upper or lower case,
 *       nothing around it) is stored as that UUID: the time-ordered UUIDv7 keys stamped by the producer
 *       interceptor then arrive in order and append to the right edge of the index. Upper and lower case
 *       spellings of one UUID are therefore the same key.
 *   <li>Any other key becomes a version-8 UUID (RFC 9562): the first 16 bytes of SHA-256 of its UTF-8
 *       bytes, with the version nibble set to 8 and the variant bits to {@code 10}. Its version differs
 *       from every v1-v7 UUID, so a hashed key never equals a UUID key. Two different texts share an id
 *       with probability about n^2 / 2^123 for n keys in one scope's window (122 random bits): 10^12
 *       keys give about 10^-13.
 * </ul>
 */
public final class DedupKeys {
  private static final int UUID_TEXT_LENGTH = 36;

  private DedupKeys() {}

  /**
   * The stored id of {@code key}.
   *
   * @param key the dedup key, not null
   * @return the UUID itself if {@code key} is a canonical UUID, else its version-8 SHA-256 id
   */
  public static UUID id(String key) {
    Objects.requireNonNull(key, "key");
    if (isCanonicalUuid(key)) {
      return UUID.fromString(key);
    }
    byte[] h = sha256(key.getBytes(StandardCharsets.UTF_8));
    h[6] = (byte) ((h[6] & 0x0f) | 0x80); // version 8
    h[8] = (byte) ((h[8] & 0x3f) | 0x80); // variant 10xx
    return new UUID(bigEndianLong(h, 0), bigEndianLong(h, 8));
  }

  /** Whether {@code s} is exactly 8-4-4-4-12 hexadecimal digits (either case); no regex: Java's $ allows a newline. */
  static boolean isCanonicalUuid(String s) {
    if (s.length() != UUID_TEXT_LENGTH) {
      return false;
    }
    for (int i = 0; i < UUID_TEXT_LENGTH; i++) {
      char ch = s.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? ch != '-' : Character.digit(ch, 16) < 0 || ch > 'f') {
        return false;
      }
    }
    return true;
  }

  /**
   * Orders ids the way PostgreSQL orders {@code uuid} values (unsigned, byte by byte), unlike
   * {@link UUID#compareTo}, which compares signed longs.
   *
   * @param a one id
   * @param b another id
   * @return negative, zero or positive as {@code a} sorts before, with or after {@code b}
   */
  public static int compare(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }

  private static long bigEndianLong(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

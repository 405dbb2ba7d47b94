package io.github.kafkadedup.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DedupKeysTest {

  @Test
  void aCanonicalUuidIsStoredAsItselfInEitherCase() {
    UUID v7 = UUID.fromString("0192f3a4-5b6c-7d8e-9fab-0123456789ab");
    assertThat(DedupKeys.id("0192f3a4-5b6c-7d8e-9fab-0123456789ab")).isEqualTo(v7);
    assertThat(DedupKeys.id("0192F3A4-5B6C-7D8E-9FAB-0123456789AB")).isEqualTo(v7);
  }

  @Test
  void anythingElseBecomesAVersion8Uuid() {
    for (String key : notUuids()) {
      UUID id = DedupKeys.id(key);
      assertThat(id.version()).as(key).isEqualTo(8);
      assertThat(id.variant()).as(key).isEqualTo(2);
    }
  }

  @Test
  void theHashIsSha256OfTheUtf8Bytes() {
    String expected = HexOf.sha256Uuid("order-42");
    assertThat(DedupKeys.id("order-42")).hasToString(expected);
  }

  @Test
  void uuidOrderIsUnsignedBytewise() {
    UUID low = UUID.fromString("7fffffff-ffff-7fff-bfff-ffffffffffff");
    UUID high = UUID.fromString("80000000-0000-7000-8000-000000000000");
    assertThat(high.compareTo(low)).as("Java's signed order").isNegative();
    assertThat(DedupKeys.compare(high, low)).isPositive();
    assertThat(DedupKeys.compare(low, low)).isZero();
  }

  /** Texts that look almost like UUIDs, or not at all. */
  static List<String> notUuids() {
    List<String> keys = new ArrayList<>(List.of("", " ", "order-42", "ü", "\uD83D\uDE00 emoji",
        "0192f3a4-5b6c-7d8e-9fab-0123456789ab\n", " 0192f3a4-5b6c-7d8e-9fab-0123456789ab",
        "{0192f3a4-5b6c-7d8e-9fab-0123456789ab}", "0192f3a45b6c7d8e9fab0123456789ab",
        "0192f3a4-5b6c-7d8e-9fab-0123456789ag", "0192f3a4-5b6c-7d8e-9fab0-123456789ab",
        "urn:uuid:0192f3a4-5b6c-7d8e-9fab-0123456789ab", "\uFF10192f3a4-5b6c-7d8e-9fab-0123456789a",
        "x".repeat(10_000)));
    for (int i = 0; i < 200; i++) {
      keys.add("key-" + i);
    }
    return keys;
  }

  /** An independent spelling of the mapping, from the RFC's words, to check the class against. */
  static final class HexOf {
    static String sha256Uuid(String key) {
      try {
        byte[] h = java.security.MessageDigest.getInstance("SHA-256")
            .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(java.util.HexFormat.of().formatHex(h, 0, 16));
        hex.setCharAt(12, '8');
        int variant = Character.digit(hex.charAt(16), 16);
        hex.setCharAt(16, Character.forDigit(8 | (variant & 3), 16));
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
            + hex.substring(16, 20) + "-" + hex.substring(20, 32);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}

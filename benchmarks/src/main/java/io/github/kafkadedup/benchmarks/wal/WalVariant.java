package io.github.kafkadedup.benchmarks.wal;

import io.github.kafkadedup.producer.IdempotencyKeys;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Collectors;

/** What the harness measures: a claim store and the dedup keys that arrive at it. */
enum WalVariant {
  /** No claim: the one-row business insert alone (the at-least-once baseline). */
  BASELINE("baseline", "business row only, no claim", Store.NONE, Keys.RANDOM_UUID),
  /** Today's claim: V1 {@code processed_messages}, {@code PostgresClaimStore.claim}, random UUID text. */
  V1_TEXT("v1-text", "V1 processed_messages + PostgresClaimStore claim, random v4 UUID text keys", Store.V1,
      Keys.RANDOM_UUID),
  /** V2 with the producer interceptor's time-ordered keys. */
  V2_UUIDV7("v2-uuidv7", "V2 claims, UUIDv7 keys (IdempotencyKeys.newKey)", Store.V2, Keys.UUIDV7),
  /** V2 with random version-4 UUID keys. */
  V2_RANDOM("v2-random", "V2 claims, random v4 UUID keys", Store.V2, Keys.RANDOM_UUID),
  /** V2 with keys that are not UUIDs, stored as version-8 UUIDs from SHA-256. */
  V2_HASHED("v2-hashed", "V2 claims, text keys stored as SHA-256 UUIDv8", Store.V2, Keys.HASHED_TEXT);

  /** Where the claims go. */
  enum Store { NONE, V1, V2 }

  /** How the dedup keys look. */
  enum Keys { RANDOM_UUID, UUIDV7, HASHED_TEXT }

  final String label;
  final String description;
  final Store store;
  final Keys keys;

  WalVariant(String label, String description, Store store, Keys keys) {
    this.label = label;
    this.description = description;
    this.store = store;
    this.keys = keys;
  }

  static WalVariant named(String label) {
    return Arrays.stream(values()).filter(v -> v.label.equals(label)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("--variants must list "
            + Arrays.stream(values()).map(v -> v.label).collect(Collectors.joining(", ")) + ", but has '"
            + label + "'"));
  }

  /** {@code n} keys of this variant's kind, as the dedup-key header would carry them. */
  String[] nextKeys(int n, SplittableRandom random) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = switch (keys) {
        case UUIDV7 -> IdempotencyKeys.newKey().toString();
        case RANDOM_UUID -> randomUuid(random).toString();
        // an order-line id: not a UUID, so V2 stores its SHA-256 as a version-8 UUID
        case HASHED_TEXT -> "order-" + Long.toUnsignedString(random.nextLong(), 36) + "/line-"
            + random.nextInt(8);
      };
    }
    return out;
  }

  private static UUID randomUuid(SplittableRandom random) {
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}

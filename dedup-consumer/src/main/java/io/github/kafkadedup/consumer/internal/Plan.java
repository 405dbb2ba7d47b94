package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.migrations.DedupKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * A poll batch before it touches the database: each record with its key, in poll order; repeats of a
 * key inside the batch are marked (the first occurrence wins); records without a usable key carry the
 * reason they go to the recoverer.
 *
 * @param items one per record, in poll order
 * @param <K> key type
 * @param <V> value type
 */
public record Plan<K, V>(List<Item<K, V>> items) {

  /**
   * One record of the plan.
   *
   * @param record the record
   * @param key its dedup key, or {@code null} when rejected or when no keys are claimed
   * @param repeat whether an earlier record of the batch has the same key
   * @param rejection why the record cannot be deduplicated, or {@code null}
   */
  public record Item<K, V>(ConsumerRecord<K, V> record, @Nullable String key, boolean repeat,
      @Nullable DedupException rejection) {

    Candidate<K, V> candidate() {
      return new Candidate<>(record, java.util.Objects.requireNonNull(key));
    }
  }

  /**
   * Derives keys and marks repeats. Never touches the database.
   *
   * @param records a poll batch, in poll order
   * @param strategy how keys are derived
   * @param config key limits and the oversized-key rule
   * @return one item per record, in the same order
   */
  public static <K, V> Plan<K, V> of(List<ConsumerRecord<K, V>> records, KeyStrategy<K, V> strategy,
      DedupConfig config) {
    List<Item<K, V>> items = new ArrayList<>(records.size());
    if (!strategy.claimsKeys()) {
      for (ConsumerRecord<K, V> record : records) {
        items.add(new Item<>(record, null, false, null)); // unclaimed: the stored offsets fence redelivery
      }
      return new Plan<>(items);
    }
    Set<UUID> seen = new HashSet<>(records.size() * 2); // by stored id: two spellings of one UUID are one key
    for (ConsumerRecord<K, V> record : records) {
      String key;
      try {
        key = keyOf(record, strategy, config);
      } catch (DedupException e) {
        items.add(new Item<>(record, null, false, e));
        continue;
      }
      items.add(new Item<>(record, key, !seen.add(DedupKeys.id(key)), null));
    }
    return new Plan<>(items);
  }

  /**
   * A plan of one item, as processed again on its own (a repeat becomes an ordinary candidate).
   *
   * @param item an item of a plan
   * @return the plan of that item alone
   */
  public static <K, V> Plan<K, V> single(Item<K, V> item) {
    return new Plan<>(List.of(new Item<>(item.record(), item.key(), false, item.rejection())));
  }

  /**
   * The items of {@code records} (the same instances), in plan order; in-batch repeat marks are kept.
   *
   * @param records some of the plan's records
   * @return the plan of those records
   */
  public Plan<K, V> only(List<? extends ConsumerRecord<?, ?>> records) {
    Set<ConsumerRecord<?, ?>> keep = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    keep.addAll(records);
    return new Plan<>(items.stream().filter(item -> keep.contains(item.record())).toList());
  }

  /** The first occurrences of usable keys among {@code items}, in their order. */
  static <K, V> List<Candidate<K, V>> candidatesOf(List<Item<K, V>> items) {
    List<Candidate<K, V>> out = new ArrayList<>(items.size());
    for (Item<K, V> item : items) {
      if (item.key() != null && item.rejection() == null && !item.repeat()) {
        out.add(item.candidate());
      }
    }
    return out;
  }

  private static <K, V> String keyOf(ConsumerRecord<K, V> record, KeyStrategy<K, V> strategy,
      DedupConfig config) {
    String key;
    try {
      key = strategy.keyOf(record);
    } catch (DedupException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DedupException.invalidKey(record, "key strategy " + strategy + " failed: " + e, e);
    }
    if (key == null || key.isEmpty()) {
      throw DedupException.missingKey(record, strategy);
    }
    if (key.indexOf('\u0000') >= 0) {
      // PostgreSQL rejects it (SQLSTATE 22021) in the claim and in the dead-letter mark alike: the loop would stall
      throw DedupException.invalidKey(record, "it contains U+0000 (NUL), which PostgreSQL text cannot store", null);
    }
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= config.maxKeyBytes()) {
      return key;
    }
    if (config.oversizedKeys() == DedupConfig.OversizedKeys.HASH) {
      return "sha256:" + HexFormat.of().formatHex(sha256(bytes));
    }
    throw DedupException.keyTooLong(record, bytes.length, config.maxKeyBytes());
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

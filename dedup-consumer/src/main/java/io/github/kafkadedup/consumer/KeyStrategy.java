package io.github.kafkadedup.consumer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * Derives the dedup key of a record: two records with the same key (in the same scope) are the same
 * message, and only the first one reaches the handler.
 *
 * <p>Outcomes are defined, never silent: a strategy returns {@code null} when the record has no key
 * (then {@link #orElse(KeyStrategy) a fallback} is asked, and with none the record goes to the
 * recoverer), and throws {@link DedupException} (kind {@link DedupException.Kind#INVALID_KEY}) when the
 * key exists but cannot be used (for example header bytes that are not UTF-8); such a record goes to
 * the recoverer and the loop keeps running. Over-long keys are handled by
 * {@link DedupConfig.Builder#oversizedKeys(DedupConfig.OversizedKeys)}.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
@FunctionalInterface
public interface KeyStrategy<K, V> {

  /** The default header that carries an idempotency key: {@value}. */
  String DEFAULT_HEADER = "idempotency-key";

  /**
   * The dedup key of {@code record}.
   *
   * @return the key, or {@code null} when this record carries none
   * @throws DedupException of kind {@link DedupException.Kind#INVALID_KEY} if a key is present but unusable
   */
  @Nullable String keyOf(ConsumerRecord<K, V> record);

  /**
   * Whether this strategy yields keys to claim: false only for {@link #none()}, whose records are fenced
   * by offsets stored in PostgreSQL alone.
   *
   * @return true, except for {@link #none()}
   */
  default boolean claimsKeys() {
    return true;
  }

  /**
   * This strategy, and {@code fallback} for records where this one finds no key.
   *
   * @param fallback asked when this strategy returns {@code null}
   * @return the composed strategy
   */
  default KeyStrategy<K, V> orElse(KeyStrategy<K, V> fallback) {
    Objects.requireNonNull(fallback, "fallback");
    KeyStrategy<K, V> first = this;
    return new KeyStrategy<>() {
      @Override
      public @Nullable String keyOf(ConsumerRecord<K, V> record) {
        String key = first.keyOf(record);
        return key != null ? key : fallback.keyOf(record);
      }

      @Override
      public String toString() {
        return first + ".orElse(" + fallback + ")";
      }
    };
  }

  /**
   * The last {@value #DEFAULT_HEADER} header, decoded as strict UTF-8 (the key that
   * {@code IdempotencyKeyInterceptor} of dedup-producer-config stamps). The recommended strategy: it
   * tells re-sends of one message apart from new messages about the same entity.
   *
   * @param <K> record key type
   * @param <V> record value type
   * @return the strategy
   */
  static <K, V> KeyStrategy<K, V> header() {
    return header(DEFAULT_HEADER);
  }

  /**
   * The last header named {@code name}, decoded as strict UTF-8; invalid UTF-8 is an
   * {@link DedupException.Kind#INVALID_KEY invalid key}; an absent or empty header is no key.
   *
   * @param name header name, not blank
   * @param <K> record key type
   * @param <V> record value type
   * @return the strategy
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static <K, V> KeyStrategy<K, V> header(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("header name must not be blank, but was '" + name + "'");
    }
    return new KeyStrategy<>() {
      @Override
      public @Nullable String keyOf(ConsumerRecord<K, V> record) {
        Header header = record.headers().lastHeader(name);
        if (header == null || header.value() == null || header.value().length == 0) {
          return null;
        }
        try {
          return StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(header.value())).toString();
        } catch (CharacterCodingException e) {
          throw DedupException.invalidKey(record, "header '" + name + "' is not valid UTF-8", e);
        }
      }

      @Override
      public String toString() {
        return "header(" + name + ")";
      }
    };
  }

  /**
   * The record key ({@code String.valueOf} of it), <b>only for topics where every record key is unique
   * per message</b> (the key is a message id or an event id). On the common entity-keyed topics (key =
   * order id, account id) this silently drops every legitimate update after the first one for that
   * entity; use {@link #header()} or {@link #value(Function)} there. The long name is deliberate.
   *
   * @param <K> record key type
   * @param <V> record value type
   * @return the strategy; a null record key is no key
   */
  static <K, V> KeyStrategy<K, V> recordKeyUniquePerMessage() {
    return new KeyStrategy<>() {
      @Override
      public @Nullable String keyOf(ConsumerRecord<K, V> record) {
        K key = record.key();
        if (key == null) {
          return null;
        }
        return key instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : key.toString();
      }

      @Override
      public String toString() {
        return "recordKeyUniquePerMessage";
      }
    };
  }

  /**
   * A key computed from the record value, e.g. {@code order -> order.eventId()}. Not called for
   * {@code null} values (tombstones have no key).
   *
   * @param extractor returns the key or {@code null} for none
   * @param <K> record key type
   * @param <V> record value type
   * @return the strategy
   */
  static <K, V> KeyStrategy<K, V> value(Function<? super V, ? extends @Nullable String> extractor) {
    Objects.requireNonNull(extractor, "extractor");
    return new KeyStrategy<>() {
      @Override
      public @Nullable String keyOf(ConsumerRecord<K, V> record) {
        V value = record.value();
        return value == null ? null : extractor.apply(value);
      }

      @Override
      public String toString() {
        return "value(" + extractor + ")";
      }
    };
  }

  /**
   * No key claims at all: only for {@code DedupConsumer.Builder.offsetsInDatabase(true)}, where the
   * offsets stored in the same transaction already fence redelivery with one row per partition per
   * transaction instead of one row per record. Re-sends (the same message at a new offset) are then
   * <b>not</b> recognised: use it only where producers cannot re-send, and measure the difference in
   * {@code benchmarks/RESULTS.md}. Building a processor with it and without offsets in the database
   * fails.
   *
   * @param <K> record key type
   * @param <V> record value type
   * @return the strategy; {@link #keyOf} must not be called on it
   */
  @SuppressWarnings("unchecked")
  static <K, V> KeyStrategy<K, V> none() {
    return (KeyStrategy<K, V>) NoKeys.INSTANCE;
  }

  /**
   * {@code topic-partition@offset}: every record is a distinct message. Catches redelivery (crash,
   * rebalance, seek) but not re-sends, which land at new offsets; with offsets stored in PostgreSQL it
   * is redundant.
   *
   * @param <K> record key type
   * @param <V> record value type
   * @return the strategy
   */
  static <K, V> KeyStrategy<K, V> topicPartitionOffset() {
    return new KeyStrategy<>() {
      @Override
      public String keyOf(ConsumerRecord<K, V> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
      }

      @Override
      public String toString() {
        return "topicPartitionOffset";
      }
    };
  }

  /** The marker behind {@link #none()}. */
  enum NoKeys implements KeyStrategy<Object, Object> {
    /** The only instance. */
    INSTANCE;

    @Override
    public String keyOf(ConsumerRecord<Object, Object> record) {
      throw new UnsupportedOperationException("KeyStrategy.none() claims no keys");
    }

    @Override
    public boolean claimsKeys() {
      return false;
    }

    @Override
    public String toString() {
      return "none";
    }
  }
}

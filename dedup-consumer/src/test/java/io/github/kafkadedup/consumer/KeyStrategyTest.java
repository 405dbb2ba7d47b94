package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class KeyStrategyTest {
  static ConsumerRecord<String, String> record(String key, String value, String headerName, byte[] header) {
    ConsumerRecord<String, String> r = new ConsumerRecord<>("orders", 3, 1842L, key, value);
    if (header != null) {
      r.headers().add(headerName, header);
    }
    return r;
  }

  @Test
  void headerReadsTheLastHeaderAsUtf8() {
    ConsumerRecord<String, String> r = record("k", "v", "idempotency-key", "first".getBytes(StandardCharsets.UTF_8));
    r.headers().add("idempotency-key", "ключ-2".getBytes(StandardCharsets.UTF_8));
    assertThat(KeyStrategy.<String, String>header().keyOf(r)).isEqualTo("ключ-2");
  }

  @Test
  void absentOrEmptyHeaderIsNoKey() {
    assertThat(KeyStrategy.<String, String>header().keyOf(record("k", "v", "x", null))).isNull();
    assertThat(KeyStrategy.<String, String>header().keyOf(record("k", "v", "idempotency-key", new byte[0]))).isNull();
  }

  @Test
  void invalidUtf8IsAnInvalidKeyNamingTheRecord() {
    ConsumerRecord<String, String> r = record("k", "v", "idempotency-key", new byte[] {(byte) 0xC3, (byte) 0x28});
    assertThatThrownBy(() -> KeyStrategy.<String, String>header().keyOf(r))
        .isInstanceOfSatisfying(DedupException.class, e -> {
          assertThat(e.kind()).isEqualTo(DedupException.Kind.INVALID_KEY);
          assertThat(e.topic()).isEqualTo("orders");
          assertThat(e.partition()).isEqualTo(3);
          assertThat(e.offset()).isEqualTo(1842L);
        })
        .hasMessageContaining("not valid UTF-8").hasMessageEndingWith("for orders-3@1842");
  }

  @Test
  void blankHeaderNameIsRejected() {
    assertThatThrownBy(() -> KeyStrategy.header(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header name must not be blank, but was ' '");
  }

  @Test
  void orElseAsksTheFallbackOnlyWhenTheFirstFindsNothing() {
    KeyStrategy<String, String> s = KeyStrategy.<String, String>header().orElse(KeyStrategy.topicPartitionOffset());
    assertThat(s.keyOf(record("k", "v", "x", null))).isEqualTo("orders-3@1842");
    assertThat(s.keyOf(record("k", "v", "idempotency-key", "abc".getBytes(StandardCharsets.UTF_8)))).isEqualTo("abc");
    assertThat(s).hasToString("header(idempotency-key).orElse(topicPartitionOffset)");
  }

  @Test
  void recordKeyAndValueStrategies() {
    assertThat(KeyStrategy.<String, String>recordKeyUniquePerMessage().keyOf(record("evt-1", "v", "x", null)))
        .isEqualTo("evt-1");
    assertThat(KeyStrategy.<String, String>recordKeyUniquePerMessage().keyOf(record(null, "v", "x", null))).isNull();
    KeyStrategy<String, String> byValue = KeyStrategy.value(v -> v.split(":")[0]);
    assertThat(byValue.keyOf(record("k", "evt-9:payload", "x", null))).isEqualTo("evt-9");
    assertThat(byValue.keyOf(record("k", null, "x", null))).as("tombstone").isNull();
  }

  /** Issue 16, defect 5: two different records carrying "   " must not be taken for one message. */
  @Test
  void blankKeysAreNoKeysSoTheFallbackOrMissingKeyApplies() {
    byte[] blank = " \t  ".getBytes(StandardCharsets.UTF_8);
    assertThat(KeyStrategy.<String, String>header().keyOf(record("k", "v", "idempotency-key", blank))).isNull();
    KeyStrategy<String, String> s = KeyStrategy.<String, String>header().orElse(KeyStrategy.topicPartitionOffset());
    assertThat(s.keyOf(record("k", "v", "idempotency-key", blank))).isEqualTo("orders-3@1842");
    assertThat(KeyStrategy.<String, String>recordKeyUniquePerMessage().keyOf(record("   ", "v", "x", null))).isNull();
    assertThat(KeyStrategy.<String, String>value(v -> "  ").keyOf(record("k", "v", "x", null))).isNull();
    assertThat(KeyStrategy.<String, String>value(v -> " evt-1 ").keyOf(record("k", "v", "x", null)))
        .as("only blank keys are none; others are kept verbatim").isEqualTo(" evt-1 ");
  }

  @Test
  void aHeaderStrategyCanKeepBlankKeys() {
    byte[] blank = "   ".getBytes(StandardCharsets.UTF_8);
    KeyStrategy<String, String> s = KeyStrategy.header("idempotency-key", true);
    assertThat(s.keyOf(record("k", "v", "idempotency-key", blank))).isEqualTo("   ");
    assertThat(s.keyOf(record("k", "v", "idempotency-key", new byte[0]))).as("empty is still none").isNull();
    assertThat(s).hasToString("header(idempotency-key, blank is a key)");
  }
}

package io.github.kafkadedup.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.KeyStrategy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class PlanTest {
  private static ConsumerRecord<String, String> rec(long offset, String key) {
    ConsumerRecord<String, String> r = new ConsumerRecord<>("t", 0, offset, "k", "v" + offset);
    if (key != null) {
      r.headers().add("idempotency-key", key.getBytes(StandardCharsets.UTF_8));
    }
    return r;
  }

  @Test
  void firstOccurrenceWinsAndRepeatsAreMarked() {
    Plan<String, String> plan = Plan.of(List.of(rec(0, "a"), rec(1, "b"), rec(2, "a"), rec(3, "a")),
        KeyStrategy.header(), DedupConfig.defaults());
    assertThat(plan.items()).extracting(Plan.Item::repeat).containsExactly(false, false, true, true);
    assertThat(plan.items()).extracting(Plan.Item::key).containsExactly("a", "b", "a", "a");
  }

  @Test
  void missingKeyIsARejectionNotASkip() {
    Plan<String, String> plan = Plan.of(List.of(rec(0, null)), KeyStrategy.header(), DedupConfig.defaults());
    assertThat(plan.items().get(0).rejection()).isNotNull()
        .satisfies(e -> assertThat(e.kind()).isEqualTo(DedupException.Kind.MISSING_KEY))
        .hasMessage("no dedup key found by header(idempotency-key) for t-0@0");
  }

  @Test
  void oversizedKeysAreRejectedOrHashed() {
    String big = "x".repeat(100 * 1024);
    Plan<String, String> rejected = Plan.of(List.of(rec(0, big)), KeyStrategy.header(), DedupConfig.defaults());
    assertThat(rejected.items().get(0).rejection()).isNotNull()
        .satisfies(e -> assertThat(e.kind()).isEqualTo(DedupException.Kind.KEY_TOO_LONG))
        .hasMessageContaining("102400 bytes, more than maxKeyBytes=512");

    DedupConfig hash = DedupConfig.builder().oversizedKeys(DedupConfig.OversizedKeys.HASH).build();
    Plan<String, String> hashed = Plan.of(List.of(rec(0, big), rec(1, big)), KeyStrategy.header(), hash);
    assertThat(hashed.items().get(0).key()).startsWith("sha256:").hasSize(71);
    assertThat(hashed.items().get(1).repeat()).as("same key, same hash").isTrue();
  }

  @Test
  void aFailingStrategyIsAnInvalidKey() {
    KeyStrategy<String, String> broken = r -> {
      throw new IllegalStateException("boom");
    };
    Plan<String, String> plan = Plan.of(List.of(rec(0, "a")), broken, DedupConfig.defaults());
    assertThat(plan.items().get(0).rejection()).isNotNull()
        .satisfies(e -> assertThat(e.kind()).isEqualTo(DedupException.Kind.INVALID_KEY));
  }

  @Test
  void aKeyWithNulIsAnInvalidKeySoTheRecordReachesTheRecoverer() {
    // found by the reliability suite: PostgreSQL refused the claim and the dead-letter mark alike, forever
    Plan<String, String> plan = Plan.of(List.of(rec(0, "order\u00001")), KeyStrategy.header(), DedupConfig.defaults());
    assertThat(plan.items().get(0).rejection()).isNotNull()
        .satisfies(e -> assertThat(e.kind()).isEqualTo(DedupException.Kind.INVALID_KEY))
        .hasMessageContaining("U+0000 (NUL)");
    assertThat(plan.items().get(0).key()).isNull();
  }
}

package io.github.kafkadedup.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.Recoverer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The checks of {@link DeadLetters.Query} and of {@link Recoverer#deadLetterTable}, with their messages. */
class DeadLettersQueryTest {

  @Test
  void defaultsAreNoFilterFromTheStartAHundredRows() {
    assertThat(DeadLetters.Query.builder().build())
        .isEqualTo(new DeadLetters.Query(null, null, null, null, 0, 100));
  }

  @Test
  void limitMustBeBetweenOneAndTenThousand() {
    assertThatThrownBy(() -> DeadLetters.Query.builder().limit(0))
        .hasMessage("limit must be between 1 and 10000, but was 0");
    assertThatThrownBy(() -> DeadLetters.Query.builder().limit(10_001))
        .hasMessage("limit must be between 1 and 10000, but was 10001");
    assertThat(DeadLetters.Query.builder().limit(10_000).build().limit()).isEqualTo(10_000);
  }

  @Test
  void afterIdMustNotBeNegative() {
    assertThatThrownBy(() -> DeadLetters.Query.builder().afterId(-1)).hasMessage("afterId must be >= 0, but was -1");
    assertThatThrownBy(() -> new DeadLetters.Query(null, null, null, null, -5, 10))
        .hasMessage("afterId must be >= 0, but was -5");
  }

  @Test
  void statesAndReasonsAreStoredInLowerCase() {
    assertThat(DeadLetters.State.PENDING.column()).isEqualTo("pending");
    assertThat(DeadLetters.Reason.DEAD_LETTERED_BEFORE.column()).isEqualTo("dead_lettered_before");
  }

  @Test
  void theTableRecovererNamesTheMissingArgumentAndRefusesToRunOutsideTheEngine() {
    assertThatThrownBy(() -> Recoverer.deadLetterTable(null, new StringSerializer()))
        .isInstanceOf(NullPointerException.class).hasMessage("keySerializer");
    assertThatThrownBy(() -> Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer(), null))
        .hasMessage("topic");
    Recoverer<String, String> table = Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer());
    assertThatThrownBy(() -> table.recover(new ConsumerRecord<>("t", 0, 0L, "k", "v"),
        DedupException.configuration("x")))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("DedupConsumer or DedupProcessor");
  }
}

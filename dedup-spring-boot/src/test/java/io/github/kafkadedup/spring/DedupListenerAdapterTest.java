package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.internal.Plan;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.BatchListenerFailedException;

/** The rules the listener adapters share: where a named record is, and how a failure is named for the error handler. */
class DedupListenerAdapterTest {
  private static final List<Plan.Item<String, String>> POLL = IntStream.range(0, 3)
      .mapToObj(i -> new Plan.Item<>(new ConsumerRecord<>("orders", 1, 40 + i, "k" + i, "v" + i), "key" + i, false,
          null))
      .toList();

  @Test
  void theVeryRecordIsFoundWhereItIs() {
    assertThat(DedupListenerAdapter.positionOf(POLL, POLL.get(2).record())).isEqualTo(2);
  }

  @Test
  void aCopyOfARecordIsFoundByItsTopicPartitionAndOffset() {
    ConsumerRecord<String, String> copy = new ConsumerRecord<>("orders", 1, 41, "another key", "another value");

    assertThat(DedupListenerAdapter.positionOf(POLL, copy)).isEqualTo(1);
  }

  @Test
  void theVeryRecordWinsOverAnEarlierOneAtTheSamePosition() {
    ConsumerRecord<String, String> again = new ConsumerRecord<>("orders", 1, 40, "k0", "v0");
    List<Plan.Item<String, String>> items = List.of(POLL.get(0), new Plan.Item<>(again, "key0", true, null));

    assertThat(DedupListenerAdapter.positionOf(items, again)).isEqualTo(1);
  }

  @Test
  void aRecordOfAnotherPartitionTopicOrOffsetIsNotAmongThem() {
    assertThat(DedupListenerAdapter.positionOf(POLL, new ConsumerRecord<>("orders", 2, 41, "k", "v"))).isEqualTo(-1);
    assertThat(DedupListenerAdapter.positionOf(POLL, new ConsumerRecord<>("payments", 1, 41, "k", "v")))
        .isEqualTo(-1);
    assertThat(DedupListenerAdapter.positionOf(POLL, new ConsumerRecord<>("orders", 1, 43, "k", "v"))).isEqualTo(-1);
  }

  @Test
  void aFailureIsNamedAtItsRecordWithTheListenersOwnExceptionAsCause() {
    IllegalStateException own = new IllegalStateException("no such order");
    RuntimeException failure = new BatchListenerFailedException("listener said so", own, POLL.get(0).record());

    BatchListenerFailedException named = DedupListenerAdapter.failedAt(POLL.get(1).record(), failure);

    assertThat(named.getRecord()).isSameAs(POLL.get(1).record());
    assertThat(named.getCause()).isSameAs(own);
    assertThat(named.getMessage()).contains("orders-1@41").contains("no such order");
  }
}

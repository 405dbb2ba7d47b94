package io.github.kafkadedup.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.Test;

/** The poll loop's Kafka commits: what a refusal leaves owed, and which partitions it is owed for. */
class OffsetCommitterTest {
  private static final TopicPartition P0 = new TopicPartition("orders", 0);
  private static final TopicPartition P1 = new TopicPartition("orders", 1);

  /** A consumer that refuses the next {@code refusals} commits. */
  private static final class Refusing extends MockConsumer<String, String> {
    int refusals;

    Refusing() {
      super("earliest");
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      if (refusals > 0) {
        refusals--;
        throw new RebalanceInProgressException("rebalancing");
      }
      super.commitSync(offsets);
    }
  }

  private final Refusing consumer = new Refusing();
  private final List<String> failures = new ArrayList<>();
  private final OffsetCommitter commits = new OffsetCommitter(consumer, new DedupMetrics() {
    @Override
    public void offsetCommitFailed(String scope, String exception) {
      failures.add(scope + " " + exception);
    }
  }, "billing");

  @Test
  void aRefusedCommitStaysOwedAndGoesWithTheNextOne() {
    consumer.assign(List.of(P0, P1));
    consumer.refusals = 1;

    commits.commit(Map.of(P0, new OffsetAndMetadata(10)));
    assertThat(commits.owes()).isTrue();
    assertThat(failures).containsExactly("billing RebalanceInProgressException");

    commits.commit(Map.of(P1, new OffsetAndMetadata(5)));
    assertThat(commits.owes()).isFalse();
    assertThat(consumer.committed(Set.of(P0, P1)))
        .isEqualTo(Map.of(P0, new OffsetAndMetadata(10), P1, new OffsetAndMetadata(5)));
  }

  @Test
  void theHighestOffsetOwedForAPartitionWins() {
    consumer.assign(List.of(P0));
    commits.owe(Map.of(P0, new OffsetAndMetadata(20)));
    commits.commit(Map.of(P0, new OffsetAndMetadata(15)));

    assertThat(consumer.committed(Set.of(P0))).isEqualTo(Map.of(P0, new OffsetAndMetadata(20)));
  }

  @Test
  void offsetsOfPartitionsNoLongerOwnedAreDropped() {
    consumer.assign(List.of(P0));

    commits.commit(Map.of(P0, new OffsetAndMetadata(3), P1, new OffsetAndMetadata(4)));

    assertThat(commits.owes()).isFalse();
    assertThat(consumer.committed(Set.of(P0, P1))).isEqualTo(Map.of(P0, new OffsetAndMetadata(3)));
  }

  @Test
  void owedOffsetsAreCommittedBeforeTheirPartitionsGoAndForgottenWhenLost() {
    consumer.assign(List.of(P0, P1));
    consumer.refusals = 1;
    commits.commit(Map.of(P0, new OffsetAndMetadata(7), P1, new OffsetAndMetadata(8)));

    commits.commitOwedFor(List.of(P0));
    assertThat(consumer.committed(Set.of(P0))).isEqualTo(Map.of(P0, new OffsetAndMetadata(7)));
    assertThat(commits.owes()).isTrue();

    commits.forget(List.of(P1));
    assertThat(commits.owes()).isFalse();
  }
}

package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.Acknowledgment;

/** What a record listener's acknowledgments become on the container's batch acknowledgment. */
class PollAcknowledgmentsTest {
  private static final List<ConsumerRecord<String, String>> POLL = IntStream.range(0, 4)
      .mapToObj(i -> new ConsumerRecord<>("orders", 0, i, "k" + i, "v" + i)).toList();

  /** Records the calls the adapter forwards. */
  private static final class Target implements Acknowledgment {
    final List<String> calls = new ArrayList<>();

    @Override
    public void acknowledge() {
      calls.add("all");
    }

    @Override
    public void acknowledge(int index) {
      calls.add("up to " + index);
    }

    @Override
    public void nack(int index, Duration sleep) {
      calls.add("nack " + index + " " + sleep.toMillis());
    }
  }

  @Test
  void everyRecordAcknowledgedOrDuplicateAcknowledgesThePoll() {
    Target target = new Target();
    PollAcknowledgments acks = PollAcknowledgments.of(target, POLL, false);
    acks.forRecord(0).acknowledge();
    acks.done(1); // a duplicate
    acks.forRecord(2).acknowledge();
    acks.forRecord(3).acknowledge();
    acks.forward(POLL.size());
    assertThat(target.calls).containsExactly("all");
  }

  @Test
  void aPartlyAcknowledgedPollCommitsUpToTheLastAcknowledgedRecordOnlyWithManualImmediate() {
    Target immediate = new Target();
    PollAcknowledgments partial = PollAcknowledgments.of(immediate, POLL, true);
    partial.forRecord(0).acknowledge();
    partial.forRecord(2).acknowledge();
    partial.forward(POLL.size());
    assertThat(immediate.calls).containsExactly("up to 2");

    Target manual = new Target();
    PollAcknowledgments whole = PollAcknowledgments.of(manual, POLL, false);
    whole.forRecord(0).acknowledge();
    whole.forward(POLL.size());
    assertThat(manual.calls).as("MANUAL has no partial batch acknowledgment").isEmpty();
  }

  @Test
  void aNackIsNotedThenForwardedAsTheBatchNackAtThatRecord() {
    Target target = new Target();
    PollAcknowledgments acks = PollAcknowledgments.of(target, POLL, false);
    acks.forRecord(2).nack(Duration.ofMillis(100));
    assertThat(acks.nackedAt()).isEqualTo(2);
    assertThat(target.calls).as("nothing reaches the container before the rollback").isEmpty();
    Duration sleep = acks.nackSleep();
    acks.reset();
    assertThat(acks.nackedAt()).isEqualTo(-1);
    acks.nack(2, sleep);
    assertThat(target.calls).containsExactly("nack 2 100");
  }

  @Test
  void noContainerAcknowledgmentMeansNoneForTheListener() {
    assertThat(PollAcknowledgments.of(null, POLL, false)).isNull();
  }
}

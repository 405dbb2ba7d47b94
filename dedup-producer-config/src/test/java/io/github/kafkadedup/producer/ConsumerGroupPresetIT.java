package io.github.kafkadedup.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two static members of a group built from the consumer preset share the partitions, with either protocol.
 *
 * <p>Each member polls on a thread of its own, as applications run them. The topic is created with
 * {@code TestKafka.createTopic}, which waits for the partition leaders: producing at once lost batches here
 * (KAFKA-15591, see {@link TopicReadiness}).
 */
class ConsumerGroupPresetIT {
  private static final int PARTITIONS = 4;
  private static final int RECORDS = 200;

  @ParameterizedTest
  @EnumSource(GroupProtocol.class)
  void twoStaticMembersSplitThePartitionsAndConsumeEveryRecord(GroupProtocol protocol) throws Exception {
    String topic = TestKafka.get().createTopic("group-preset-" + protocol, PARTITIONS);
    produce(topic);
    DedupConsumerConfig config = DedupConsumerConfig.builder().bootstrapServers(TestKafka.get().bootstrapServers())
        .groupId("group-preset-" + topic).groupProtocol(protocol).maxPollRecords(50)
        .keyDeserializer(StringDeserializer.class).valueDeserializer(StringDeserializer.class).build();
    Queue<String> values = new ConcurrentLinkedQueue<>();

    try (Member a = new Member(config, "member-a", topic, values);
        Member b = new Member(config, "member-b", topic, values)) {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
          .failFast(() -> a.failure.get() != null || b.failure.get() != null)
          .alias(protocol + ": every record consumed and committed, both members own partitions")
          .until(() -> new HashSet<>(values).size() == RECORDS && committed(config.groupId()) == RECORDS
              && !a.assignment.get().isEmpty() && !b.assignment.get().isEmpty());
      a.running = false; // both stop together: neither sees a rebalance caused by the other leaving
      b.running = false;
      a.awaitStop();
      b.awaitStop();
      Set<TopicPartition> both = new HashSet<>(a.assignment.get());
      both.addAll(b.assignment.get());
      assertThat(both).as("the members together own every partition").hasSize(PARTITIONS);
      assertThat(a.assignment.get()).doesNotContainAnyElementsOf(b.assignment.get());
    }
    // a commit refused during the members' rebalance (stale member epoch) legitimately redelivers a batch:
    // plain consumers are at-least-once, which is what kafka-dedup is for
    assertThat(new HashSet<>(values)).hasSize(RECORDS);
    assertThat(committed(config.groupId())).isEqualTo(RECORDS);
  }

  /** One group member polling and committing on its own thread until stopped. */
  private static final class Member implements AutoCloseable {
    final AtomicReference<Set<TopicPartition>> assignment = new AtomicReference<>(Set.of());
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    volatile boolean running = true;

    Member(DedupConsumerConfig config, String instanceId, String topic, Queue<String> values) {
      consumer = new KafkaConsumer<>(config.toBuilder().groupInstanceId(instanceId).build().toMap());
      thread = Thread.ofPlatform().name(instanceId).start(() -> run(topic, values));
    }

    private void run(String topic, Queue<String> values) {
      try (consumer) {
        consumer.subscribe(List.of(topic));
        while (running) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            values.add(record.value());
          }
          commitQuietly();
          assignment.set(Set.copyOf(consumer.assignment()));
        }
      } catch (WakeupException e) {
        // stopped
      } catch (Throwable e) {
        failure.set(e);
      }
    }

    /** Commits the consumed positions; a commit refused during a rebalance is retried on the next round. */
    private void commitQuietly() {
      try {
        consumer.commitSync(Duration.ofSeconds(10));
      } catch (CommitFailedException | RebalanceInProgressException | TimeoutException e) {
        // retried after the next poll
      }
    }

    void awaitStop() throws InterruptedException {
      thread.join(Duration.ofSeconds(30));
      assertThat(failure.get()).as("failure of %s", thread.getName()).isNull();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      if (thread.isAlive()) {
        consumer.wakeup();
      }
      thread.join(Duration.ofSeconds(30));
    }
  }

  private static long committed(String groupId) throws Exception {
    return TestKafka.get().admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
  }

  private static void produce(String topic) throws Exception {
    IdempotentProducerConfig config = IdempotentProducerConfig.builder()
        .bootstrapServers(TestKafka.get().bootstrapServers())
        .keySerializer(StringSerializer.class).valueSerializer(StringSerializer.class).build();
    try (var producer = new KafkaProducer<String, String>(config.toMap())) {
      Sends.roundRobin(producer, topic, PARTITIONS, RECORDS); // a lost batch fails here, not as a missing record
    }
  }
}

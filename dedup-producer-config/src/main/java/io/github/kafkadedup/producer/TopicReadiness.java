package io.github.kafkadedup.producer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Waits until newly created topics accept writes before an idempotent producer sends to them.
 *
 * <p>Brokers before Apache Kafka 4.5 can lose the first records an idempotent producer sends to a partition
 * created moments before (KAFKA-15591): request A fails with {@code NOT_LEADER_OR_FOLLOWER} because the
 * leader has not yet applied the topic creation, request B (later sequence numbers) arrives just after and
 * is appended, and every retry of A is then refused with {@code OUT_OF_ORDER_SEQUENCE_NUMBER} until
 * {@code delivery.timeout.ms} expires it. The send callback reports the failure, but the records are not in
 * the topic. {@link IdempotentProducerConfig} allows up to 5 requests in flight, so it is exposed like any
 * idempotent producer. Call {@link #awaitWritable} after creating topics and before producing to them (the
 * partition leaders then answer {@code ListOffsets}, so produce requests find them ready); topics created
 * ahead of deployment need nothing.
 */
public final class TopicReadiness {
  private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

  private TopicReadiness() {}

  /**
   * Returns once the leader of every partition of {@code topics} answers for it.
   *
   * @param admin an admin client of the cluster
   * @param topics existing topic names, at least one
   * @param timeout how long to wait in all, positive
   * @throws IllegalArgumentException if {@code topics} is empty or {@code timeout} not positive
   * @throws UnknownTopicOrPartitionException if a topic still does not exist when {@code timeout} ends
   * @throws TimeoutException if a leader did not answer within {@code timeout}
   * @throws IllegalStateException if the cluster refuses the check (not authorized to describe a topic, an
   *     invalid topic name), with the cause
   * @throws InterruptedException if interrupted while waiting
   */
  public static void awaitWritable(Admin admin, Collection<String> topics, Duration timeout)
      throws TimeoutException, InterruptedException {
    Objects.requireNonNull(admin, "admin");
    if (Objects.requireNonNull(topics, "topics").isEmpty()) {
      throw new IllegalArgumentException("topics must name at least one topic");
    }
    if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    for (TopicDescription topic : call(deadline, topics, () -> admin.describeTopics(topics).allTopicNames()
        .get(remainingMillis(deadline), TimeUnit.MILLISECONDS)).values()) {
      topic.partitions().forEach(p -> partitions.put(new TopicPartition(topic.name(), p.partition()),
          OffsetSpec.latest()));
    }
    call(deadline, topics, () -> admin.listOffsets(partitions).all()
        .get(remainingMillis(deadline), TimeUnit.MILLISECONDS));
  }

  /** Runs {@code step}, again after a pause while it fails with a retriable error and time is left. */
  private static <T> T call(long deadline, Collection<String> topics, Step<T> step)
      throws TimeoutException, InterruptedException {
    while (true) {
      Throwable cause;
      try {
        return step.run();
      } catch (ExecutionException e) {
        cause = e.getCause();
        if (!(cause instanceof RetriableException)) {
          throw new IllegalStateException("cannot check that topics " + topics + " accept writes: " + cause, cause);
        }
      } catch (TimeoutException e) {
        cause = e;
      }
      if (remainingMillis(deadline) <= RETRY_PAUSE.toMillis()) {
        if (cause instanceof UnknownTopicOrPartitionException) {
          throw new UnknownTopicOrPartitionException("a topic of " + topics + " does not exist: " + cause.getMessage(),
              cause);
        }
        throw new TimeoutException("the partitions of " + topics + " did not accept writes in time; last error: "
            + cause);
      }
      Thread.sleep(RETRY_PAUSE);
    }
  }

  private static long remainingMillis(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  @FunctionalInterface
  private interface Step<T> {
    T run() throws ExecutionException, TimeoutException, InterruptedException;
  }
}

package io.github.kafkadedup.consumer.internal;
import io.github.kafkadedup.outbox.internal.Backoff;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The poll-process-commit loop behind {@code DedupConsumer}. */
public final class PollLoop<K, V> {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.CONSUMER);

  private final Consumer<K, V> consumer;
  private final List<String> topics;
  private final TransactionalBatchProcessor<K, V> processor;
  private final Duration pollTimeout;
  private final @Nullable ConsumerRebalanceListener userListener;
  private final long maxPollIntervalMs;
  private final @Nullable OffsetsInDatabase databaseOffsets;
  private final Deserializer<K> keyDeserializer;
  private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));
  private final CountDownLatch stopped = new CountDownLatch(1);
  /** Kafka's offset commits, after the database's; what is still owed. */
  private final OffsetCommitter commits;
  private final Heartbeat heartbeat;
  private volatile boolean closing;
  private volatile boolean started;
  /** Gives the partitions back while the database is away ({@link #watchDatabase}); null: never. */
  private @Nullable OutageExit outageExit;

  /**
   * Use {@code DedupConsumer.builder}.
   *
   * @param offsets offsets-in-PostgreSQL mode, or {@code null} when offsets live in Kafka only
   * @param keyDeserializer reads the key of a record whose value alone could not be deserialized
   * @param heartbeat the consumer's row in dedup_heartbeats ({@link Heartbeat#OFF} for none)
   */
  public PollLoop(Consumer<K, V> consumer, List<String> topics, TransactionalBatchProcessor<K, V> processor,
      Duration pollTimeout, @Nullable ConsumerRebalanceListener userListener, long maxPollIntervalMs,
      @Nullable OffsetsInDatabase offsets, Deserializer<K> keyDeserializer, Heartbeat heartbeat) {
    this.consumer = consumer;
    this.topics = topics;
    this.processor = processor;
    this.pollTimeout = pollTimeout;
    this.userListener = userListener;
    this.maxPollIntervalMs = maxPollIntervalMs;
    this.databaseOffsets = offsets;
    this.keyDeserializer = keyDeserializer;
    this.commits = new OffsetCommitter(consumer, processor.metrics(), processor.scope());
    this.heartbeat = heartbeat;
  }

  /**
   * Gives the partitions back to the group (unsubscribes) when the database stays unusable past
   * {@code outage}'s bound, probes {@code dataSource} every 5 s meanwhile and subscribes again
   * when it answers. Call before {@link #run}.
   */
  public void watchDatabase(DatabaseOutage outage, DataSource dataSource) {
    this.outageExit = new OutageExit(outage, dataSource, consumer, () -> consumer.subscribe(topics, new Listener()));
  }

  /** Whether the loop waits for its database outside the group. */
  public boolean isDatabaseUnavailable() {
    OutageExit exit = outageExit;
    return exit != null && exit.isUnavailable();
  }

  /** The dedup scope. */
  public String scope() {
    return processor.scope();
  }

  /** Runs until {@link #close}; closes the Kafka consumer on exit. */
  public void run() {
    if (started) {
      throw new IllegalStateException("[" + scope() + "] run() was already called");
    }
    started = true;
    log.info("[{}] consuming {}", scope(), topics);
    try {
      consumer.subscribe(topics, new Listener());
      int failures = 0;
      while (!closing) {
        if (outageExit != null && outageExit.away()) {
          outageExit.probe(() -> closing);
          continue;
        }
        failures = pollOnce(failures);
        heartbeat.polled(() -> consumer.groupMetadata().memberId());
      }
    } catch (WakeupException e) {
      if (!closing) {
        throw e;
      }
    } finally {
      heartbeat.stopped();
      try {
        consumer.close();
      } catch (KafkaException e) {
        log.warn("[{}] consumer did not close cleanly: {}", scope(), e.toString());
      }
      stopped.countDown();
      log.info("[{}] stopped", scope());
    }
  }

  private int pollOnce(int failures) {
    if (databaseOffsets != null) {
      SQLException ownership = databaseOffsets.acquirePending(consumer);
      if (ownership != null && databaseFailed(ownership)) {
        return 0;
      }
    }
    ConsumerRecords<K, V> polled;
    try {
      polled = consumer.poll(pollTimeout);
    } catch (RecordDeserializationException e) {
      return deadLetterUndeserializable(e, failures);
    }
    if (polled.isEmpty()) {
      if (commits.owes()) {
        commits.commit(Map.of());
      }
      return failures;
    }
    List<ConsumerRecord<K, V>> batch = new ArrayList<>(polled.count());
    polled.forEach(batch::add);
    long start = System.nanoTime();
    BatchResult result;
    try {
      result = processor.process(batch);
    } catch (DedupException e) {
      if (e.kind() == DedupException.Kind.FENCED && databaseOffsets != null) {
        databaseOffsets.fenced(consumer, batch, e);
        return failures;
      }
      log.error("[{}] batch of {} not completed, will poll it again: {}", scope(), batch.size(), e.getMessage(), e);
      rewind(batch);
      if (e.kind() == DedupException.Kind.DATABASE && databaseFailed(e)) {
        return 0;
      }
      backoff.sleep(Math.min(failures + 1, 10));
      return failures + 1;
    }
    warnIfSlow(batch.size(), System.nanoTime() - start);
    heartbeat.progressed(batch.size()); // the database commit is the progress, whatever Kafka's commit does
    commits.commit(result.offsets());
    if (outageExit != null) {
      outageExit.worked();
    }
    return 0;
  }

  /** Notes a database failure; past the outage's bound gives the partitions back (returns true). */
  private boolean databaseFailed(Exception failure) {
    return outageExit != null && outageExit.failed(failure);
  }

  /**
   * Dead-letters a record the consumer's deserializer could not read (its key deserialized when only the
   * value failed, its headers, the exception with the original bytes as the cause) through the processor,
   * which claims its key as dead-lettered where the key strategy finds one, then moves past it and commits
   * the offset after it like a batch's. If that fails, the consumer stays on the record and polls it again
   * after a backoff.
   */
  private int deadLetterUndeserializable(RecordDeserializationException e, int failures) {
    TopicPartition tp = e.topicPartition();
    ConsumerRecord<K, V> record = UnreadableRecord.of(e, keyDeserializer);
    BatchResult result;
    try {
      result = processor.deadLetterUnreadable(record, DedupException.undeserializable(record, e));
    } catch (DedupException failure) {
      if (failure.kind() == DedupException.Kind.FENCED && databaseOffsets != null) {
        databaseOffsets.fenced(consumer, List.of(record), failure);
        return failures;
      }
      log.error("[{}] record {}-{}@{} cannot be deserialized and could not be dead-lettered ({}); polling it "
          + "again", scope(), tp.topic(), tp.partition(), e.offset(), failure.getMessage(), failure);
      backoff.sleep(Math.min(failures + 1, 10));
      return failures + 1;
    }
    consumer.seek(tp, e.offset() + 1);
    heartbeat.progressed(1);
    commits.commit(result.offsets()); // else a restart polls it again from the last committed offset
    return 0;
  }

  /** Seeks back to poll the failed batch again (with offsets in the database: from the stored offset). */
  private void rewind(List<ConsumerRecord<K, V>> batch) {
    if (databaseOffsets != null) {
      // what a lost commit stored is done: Kafka's offsets follow after the next poll (commit(Map.of()))
      commits.owe(databaseOffsets.rewind(consumer, batch));
      return;
    }
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<K, V> r : batch) {
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    Set<TopicPartition> owned = consumer.assignment();
    first.forEach((tp, offset) -> {
      if (owned.contains(tp)) {
        consumer.seek(tp, offset);
      }
    });
  }

  private void warnIfSlow(int records, long nanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
    if (millis > maxPollIntervalMs / 2) {
      log.warn("[{}] a batch of {} records took {} ms, more than half of max.poll.interval.ms={}: lower "
          + "max.poll.records or speed up the handler. Past the limit the group evicts this consumer and the "
          + "next owner re-reads the batch (duplicates are skipped, but the work is wasted)", scope(), records,
          millis, maxPollIntervalMs);
    }
  }

  /** Stops the loop after the current batch and waits for it to exit. */
  public void close(Duration timeout) {
    closing = true;
    if (!started) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("[{}] loop did not stop within {}", scope(), timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // No batch is in flight here: batches complete (DB commit, then offset commit) before poll returns to us.
      if (!partitions.isEmpty()) {
        log.info("[{}] partitions revoked: {}", scope(), partitions);
        commits.commitOwedFor(partitions);
      }
      released(partitions, ConsumerRebalanceListener::onPartitionsRevoked);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      commits.rebalanced();
      if (!partitions.isEmpty()) {
        log.info("[{}] partitions assigned: {}", scope(), partitions);
      }
      processor.partitionsRevoked(partitions); // parked sequences are loaded afresh
      if (databaseOffsets != null) {
        databaseOffsets.assigned(consumer, partitions);
      }
      if (userListener != null) {
        userListener.onPartitionsAssigned(partitions);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      log.warn("[{}] partitions lost: {}", scope(), partitions);
      commits.forget(partitions); // no longer a member: the next owner skips what we applied
      released(partitions, ConsumerRebalanceListener::onPartitionsLost);
    }

    /** Partitions gone (revoked or lost): the processor, the stored offsets, then the user's listener. */
    private void released(Collection<TopicPartition> partitions,
        BiConsumer<ConsumerRebalanceListener, Collection<TopicPartition>> userCallback) {
      processor.partitionsRevoked(partitions);
      if (databaseOffsets != null) {
        databaseOffsets.revoked(partitions);
      }
      if (userListener != null) {
        userCallback.accept(userListener, partitions);
      }
    }
  }
}

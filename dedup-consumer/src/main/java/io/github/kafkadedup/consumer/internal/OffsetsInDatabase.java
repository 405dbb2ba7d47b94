package io.github.kafkadedup.consumer.internal;
import io.github.kafkadedup.outbox.internal.Backoff;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer side of offsets-in-PostgreSQL mode, driven by the poll loop on its thread: on assignment
 * it takes ownership of the partitions ({@link OffsetFence#acquire}) and seeks each to its stored next
 * offset (Kafka's committed offset or {@code auto.offset.reset} apply where none is stored); on
 * revocation it forgets them; after a fenced batch it pauses the partitions a newer owner holds and
 * rewinds the others. If the database is down during assignment, the new partitions stay paused and
 * ownership is retried before each poll, with backoff.
 */
public final class OffsetsInDatabase {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.CONSUMER);

  private final OffsetFence fence;
  private final String scope;
  private final Set<TopicPartition> pending = new LinkedHashSet<>();
  private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
  private final DedupMetrics metrics;
  private int failures;
  private long retryAtNanos = System.nanoTime();

  /**
   * @param fence the database side (also the processor's transaction hook)
   * @param scope the dedup scope, for log lines
   * @param metrics counts fenced batches as failures of type {@code fenced}
   */
  public OffsetsInDatabase(OffsetFence fence, String scope, DedupMetrics metrics) {
    this.fence = fence;
    this.scope = scope;
    this.metrics = metrics;
  }

  /** Partitions were assigned (from the rebalance listener): acquire them and seek. */
  public void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    pending.addAll(partitions);
    failures = 0;
    retryAtNanos = System.nanoTime();
    acquirePending(consumer);
  }

  /** Partitions were revoked or lost: forget them. */
  public void revoked(Collection<TopicPartition> partitions) {
    pending.removeAll(partitions);
    fence.release(partitions);
  }

  /**
   * Before each poll: retries ownership of partitions whose acquisition failed, when their backoff is up.
   *
   * @return the database failure if ownership could not be taken (the partitions stay paused), else null
   */
  public @Nullable SQLException acquirePending(Consumer<?, ?> consumer) {
    if (pending.isEmpty() || System.nanoTime() - retryAtNanos < 0) {
      return null;
    }
    List<TopicPartition> todo = new ArrayList<>(pending);
    todo.retainAll(consumer.assignment());
    pending.clear();
    if (todo.isEmpty()) {
      return null;
    }
    Map<TopicPartition, Long> stored;
    try {
      stored = fence.acquire(todo);
    } catch (SQLException e) {
      pending.addAll(todo);
      consumer.pause(todo);
      failures++;
      long delay = backoff.delayMillis(Math.min(failures, 10));
      retryAtNanos = System.nanoTime() + Duration.ofMillis(delay).toNanos();
      log.warn("[{}] could not take ownership of {} in the database ({}); they stay paused, retrying in {} ms",
          scope, todo, e.toString(), delay);
      return e;
    }
    failures = 0;
    consumer.resume(todo);
    stored.forEach(consumer::seek);
    List<String> owned = todo.stream().map(tp -> tp + " gen " + fence.generation(tp)
        + (stored.containsKey(tp) ? " from " + stored.get(tp) : " from Kafka's committed offset")).toList();
    log.info("[{}] owning in the database: {}", scope, owned);
    return null;
  }

  /**
   * A batch failed (the database stayed unreachable, or the recoverer failed): seeks each of its partitions
   * this consumer still holds back to the stored next offset, or to the batch's first offset where nothing
   * past it is stored. A commit whose outcome was unknown may have stored the batch (or part of it): polling
   * from its first offset would only fetch records to skip. If the stored offsets cannot be read, the batch's
   * first offsets: the next transaction reads them before applying anything and skips what was applied.
   *
   * @return the stored offsets that are past the batch's first offsets: committed in the database, still
   *     to be committed to Kafka (for lag monitoring; nothing new may arrive to do it)
   */
  public Map<TopicPartition, OffsetAndMetadata> rewind(Consumer<?, ?> consumer,
      List<? extends ConsumerRecord<?, ?>> batch) {
    Map<TopicPartition, Long> first = firstOffsets(batch);
    first.keySet().retainAll(consumer.assignment());
    Map<TopicPartition, Long> stored;
    try {
      stored = fence.storedOffsets(first.keySet());
    } catch (SQLException e) {
      stored = Map.of();
      log.debug("[{}] stored offsets unreadable ({}); rewinding to the batch's first offsets", scope, e.toString());
    }
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : first.entrySet()) {
      long next = stored.getOrDefault(e.getKey(), -1L);
      consumer.seek(e.getKey(), Math.max(e.getValue(), next));
      if (next > e.getValue()) {
        done.put(e.getKey(), new OffsetAndMetadata(next));
      }
    }
    if (!done.isEmpty()) {
      log.info("[{}] the database holds offsets past the failed batch (a commit whose outcome was unknown "
          + "landed): resuming from {}", scope, done);
    }
    return done;
  }

  private static Map<TopicPartition, Long> firstOffsets(List<? extends ConsumerRecord<?, ?>> batch) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<?, ?> r : batch) {
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    return first;
  }

  /**
   * A batch was fenced and rolled back: partitions a newer owner holds are paused until they are assigned
   * again; the others (rolled back with them) are rewound to the batch's first offset.
   *
   * @param why the FENCED exception (its message names the partitions and generations)
   */
  public void fenced(Consumer<?, ?> consumer, List<? extends ConsumerRecord<?, ?>> batch, DedupException why) {
    Map<TopicPartition, Long> first = firstOffsets(batch);
    Set<TopicPartition> assigned = consumer.assignment();
    List<TopicPartition> lost = new ArrayList<>();
    first.forEach((tp, offset) -> {
      if (!assigned.contains(tp)) {
        return;
      }
      if (fence.owns(tp)) {
        consumer.seek(tp, offset);
      } else {
        lost.add(tp);
      }
    });
    consumer.pause(lost);
    metrics.failure(scope, "fenced");
    log.warn("{}. Batch of {} records dropped: {} paused until assigned to this consumer again; its other "
        + "partitions are polled again", why.getMessage(), batch.size(), lost);
  }
}

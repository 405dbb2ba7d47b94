package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupMetrics;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop's Kafka offset commits, which come after the database commit: the offsets still owed (a refused
 * commit is retried after each poll while the partitions stay ours), and the logging of refusals, once per episode.
 * Used on the poll thread only (the rebalance callbacks run on it too).
 */
final class OffsetCommitter {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.CONSUMER);
  /** Refusals in a row logged at DEBUG between two WARN lines saying that commits still fail. */
  private static final int PERSISTENT_REFUSALS = 100;

  private final Consumer<?, ?> consumer;
  private final DedupMetrics metrics;
  private final String scope;
  /** Offsets whose database transaction committed but whose Kafka commit has not succeeded yet. */
  private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
  /** Offset commits refused in a row: the first of an episode is logged at WARN, the others at DEBUG. */
  private int refusedCommits;
  private Class<?> lastRefusal = Void.class;

  OffsetCommitter(Consumer<?, ?> consumer, DedupMetrics metrics, String scope) {
    this.consumer = consumer;
    this.metrics = metrics;
    this.scope = scope;
  }

  /** Whether offsets are still owed to Kafka (an empty poll retries them). */
  boolean owes() {
    return !uncommitted.isEmpty();
  }

  /** Notes {@code offsets} as owed without committing them now (they are committed after the next poll). */
  void owe(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((tp, offset) -> uncommitted.merge(tp, offset, (a, b) -> a.offset() >= b.offset() ? a : b));
  }

  /**
   * Commits {@code offsets} plus any earlier offsets whose commit failed (e.g. during a rebalance), for the
   * partitions this consumer still owns. Offsets that fail again are kept and retried after the next poll,
   * so the group's committed offsets catch up even when no new record arrives on the partition.
   */
  void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    owe(offsets);
    if (uncommitted.isEmpty()) {
      return;
    }
    Set<TopicPartition> owned = consumer.assignment();
    int before = uncommitted.size();
    uncommitted.keySet().retainAll(owned); // a revoked partition's offsets are its new owner's business now
    if (uncommitted.size() < before) {
      log.warn("[{}] partitions were revoked during the batch; committing only {} of {}", scope,
          uncommitted.size(), before);
    }
    if (uncommitted.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> mine = Map.copyOf(uncommitted);
    try {
      if (commitSync(mine)) {
        uncommitted.keySet().removeAll(mine.keySet());
      }
    } catch (WakeupException e) {
      if (commitSync(mine)) { // close() woke us up mid-commit: the batch is done, finish its commit, then stop
        uncommitted.keySet().removeAll(mine.keySet());
      }
      throw e;
    }
  }

  /** Before partitions go: commit what is still owed for them (allowed inside the rebalance callback). */
  void commitOwedFor(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> owed = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata offset = uncommitted.remove(tp);
      if (offset != null) {
        owed.put(tp, offset);
      }
    }
    if (!owed.isEmpty()) {
      commitSync(owed);
    }
  }

  /** Partitions lost (no longer a member): the next owner skips what was applied, nothing is owed for them. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(uncommitted::remove);
  }

  /** Partitions were assigned: the rebalance is over, so a refusal from now on is a new episode. */
  void rebalanced() {
    endEpisode();
  }

  private void endEpisode() {
    refusedCommits = 0;
    lastRefusal = Void.class;
  }

  /**
   * Commits; returns false if Kafka refused (e.g. RebalanceInProgressException). Every refusal is counted;
   * the log says it at WARN once per episode (until a commit succeeds or partitions are assigned), again for
   * another exception or every 100 refusals in a row, else at DEBUG: a cooperative rebalance must not write
   * one line per batch.
   */
  private boolean commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      consumer.commitSync(offsets);
      endEpisode();
      return true;
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      // the DB commit stands; retried after the next poll while the partitions stay ours
      metrics.offsetCommitFailed(scope, e.getClass().getSimpleName());
      boolean newKind = !e.getClass().equals(lastRefusal);
      lastRefusal = e.getClass();
      if (refusedCommits++ == 0 || newKind) {
        log.warn("[{}] offset commit failed after the database commit ({}); retrying after each poll until it "
            + "succeeds (further failures in a row: DEBUG, and the meter kafka.dedup.offset.commit.failures; records "
            + "redelivered meanwhile are skipped as duplicates)", scope, e.toString());
      } else if (refusedCommits % PERSISTENT_REFUSALS == 0) {
        log.warn("[{}] offset commits still fail after the database commit: {} in a row, the last {}", scope,
            refusedCommits, e.toString());
      } else {
        log.debug("[{}] offset commit failed again ({} in a row): {}", scope, refusedCommits, e.toString());
      }
      return false;
    }
  }
}

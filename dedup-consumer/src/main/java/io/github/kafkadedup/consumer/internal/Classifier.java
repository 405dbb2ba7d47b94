package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one classification of a poll batch, used by the engine's applier and by the Spring adapters: claims the
 * plan's keys on the caller's connection and transaction, then decides each record: fresh (handle), repeat
 * inside the batch or re-send (duplicate), redelivery (duplicate), replay of a dead-lettered key (by
 * {@link DedupConfig#deadLetteredReplay()}: recover again, reprocess or skip), unusable key (recover). Observe
 * mode hands duplicates to the handler too. Counts go to the returned {@link Verdict}; log lines are the
 * engine's (logger {@code io.github.kafkadedup.consumer.DedupProcessor}).
 */
public final class Classifier {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.PROCESSOR);

  private final PostgresClaimStore store;
  private final DedupConfig config;
  private final DedupMetrics metrics;

  private Classifier(PostgresClaimStore store, DedupConfig config) {
    this.store = store;
    this.config = config;
    this.metrics = config.metrics();
  }

  /**
   * The classifier of {@code config}'s tables and rules.
   *
   * @param config schema, mode, dead-lettered replay rule, metrics (claim latency)
   * @return a classifier; thread-safe
   */
  public static Classifier of(DedupConfig config) {
    return new Classifier(new PostgresClaimStore(config.schema()), config);
  }

  /**
   * Claims the keys of {@code items} in one round trip and classifies every item; a key claimed again for
   * reprocessing is marked processed in the same transaction.
   *
   * @param c the caller's connection, inside its transaction
   * @param scope the dedup scope
   * @param items items of a {@link Plan}, in poll order
   * @param <K> key type
   * @param <V> value type
   * @return the decision
   * @throws SQLException on database failure (the transaction must roll back)
   */
  public <K, V> Verdict<K, V> claim(Connection c, String scope, List<Plan.Item<K, V>> items) throws SQLException {
    List<Candidate<K, V>> candidates = Plan.candidatesOf(items);
    long start = System.nanoTime();
    PostgresClaimStore.Claims claims = store.claimAll(c, scope, candidates);
    metrics.claim(scope, candidates.size(), System.nanoTime() - start);

    boolean observe = config.mode() == DedupConfig.Mode.OBSERVE;
    Verdict<K, V> verdict = new Verdict<>(items.size());
    for (Plan.Item<K, V> item : items) {
      String key = item.key();
      if (item.rejection() != null) {
        verdict.toRecover.add(item);
      } else if (key == null) {
        verdict.toHandle.add(item.record()); // KeyStrategy.none(): nothing to claim
      } else if (item.repeat()) {
        duplicate(verdict, scope, item.record(), DuplicateCause.RESEND, null);
        if (observe) {
          verdict.toHandle.add(item.record());
        }
      } else if (claims.isFresh(key)) {
        verdict.toHandle.add(item.record());
      } else if (classifyDuplicate(c, scope, verdict, item.candidate(), claims.firstClaim(key)) || observe) {
        verdict.toHandle.add(item.record());
      }
    }
    return verdict;
  }

  /** Counts a duplicate; returns true if it must be handled anyway (replay of a dead-lettered key). */
  private <K, V> boolean classifyDuplicate(Connection c, String scope, Verdict<K, V> verdict,
      Candidate<K, V> candidate, @Nullable StoredClaim first) throws SQLException {
    DuplicateCause cause = candidate.duplicateCause(first);
    if (first != null && first.deadLettered() && cause == DuplicateCause.RESEND) {
      switch (config.deadLetteredReplay()) {
        case RECOVER -> {
          verdict.toRecover.add(new Plan.Item<>(candidate.record(), candidate.key(), false,
              DedupException.deadLetteredBefore(candidate.record(), candidate.key())));
          return false;
        }
        case REPROCESS -> {
          store.mark(c, scope, candidate, false);
          log.info("[{}] reprocessing dead-lettered key {} at {}", scope, candidate.key(),
              RecordLog.where(candidate.record()));
          return true;
        }
        case SKIP -> log.warn("[{}] skipping replay of dead-lettered key {} at {}", scope, candidate.key(),
            RecordLog.where(candidate.record()));
      }
    }
    duplicate(verdict, scope, candidate.record(), cause, first);
    return false;
  }

  private static void duplicate(Verdict<?, ?> verdict, String scope, ConsumerRecord<?, ?> record,
      DuplicateCause cause, @Nullable StoredClaim first) {
    if (cause == DuplicateCause.REDELIVERY) {
      verdict.redeliveries++;
    } else {
      verdict.resends++;
    }
    RecordLog.duplicate(log, scope, cause, record, first);
  }

  /**
   * Stores {@code record}'s key as dead-lettered ({@code D}), before or after (Spring) the recoverer got it: a
   * fresh key is claimed {@code D}; a key claimed at another offset (a replay of a dead-lettered key that was
   * recovered again) is marked {@code D} at this record.
   *
   * @param c the caller's connection, inside its transaction
   * @param scope the dedup scope
   * @param record the dead-lettered record
   * @param key its dedup key
   * @return true if the key is now dead-lettered by this record; false if its claim shows that this very
   *     record was already applied or dead-lettered (by a zombie or the new owner): a redelivery, logged
   * @throws SQLException on database failure
   */
  public boolean claimDeadLetter(Connection c, String scope, ConsumerRecord<?, ?> record, String key)
      throws SQLException {
    Candidate<?, ?> candidate = new Candidate<>(record, key);
    PostgresClaimStore.Claims claimed = store.claimDead(c, scope, candidate);
    if (!claimed.isFresh(key)) {
      StoredClaim first = claimed.firstClaim(key);
      if (first != null && candidate.isSameRecordAs(first)) {
        RecordLog.duplicate(log, scope, DuplicateCause.REDELIVERY, record, first);
        return false;
      }
      store.mark(c, scope, candidate, true); // a replay of the key at another offset failed again
    }
    return true;
  }

  /** What {@link #claimParked} found. */
  public enum Parking {
    /** The key was free: it is claimed {@code D} now, and the record may be parked. */
    CLAIMED,
    /** This very record was applied, dead-lettered or parked before (a redelivery): skip it. */
    REDELIVERY,
    /** Another record claimed the key (a re-send of a processed, dead-lettered or parked key): skip it. */
    RESEND
  }

  /**
   * Claims {@code record}'s key {@code D} before the record is parked behind a dead letter of its sequence
   * (sequencing); unlike {@link #claimDeadLetter}, never changes another record's claim (a {@code P} claim
   * stays {@code P}: the dedup memory is never lowered). Duplicates are counted by the caller and logged here.
   *
   * @param c the caller's connection, inside its transaction
   * @param scope the dedup scope
   * @param record the record to park
   * @param key its dedup key
   * @return what the claim found
   * @throws SQLException on database failure
   */
  public Parking claimParked(Connection c, String scope, ConsumerRecord<?, ?> record, String key)
      throws SQLException {
    Candidate<?, ?> candidate = new Candidate<>(record, key);
    PostgresClaimStore.Claims claimed = store.claimDead(c, scope, candidate);
    if (claimed.isFresh(key)) {
      return Parking.CLAIMED;
    }
    StoredClaim first = claimed.firstClaim(key);
    boolean same = first != null && candidate.isSameRecordAs(first);
    RecordLog.duplicate(log, scope, same ? DuplicateCause.REDELIVERY : DuplicateCause.RESEND, record, first);
    return same ? Parking.REDELIVERY : Parking.RESEND;
  }

  /**
   * What the claim of a batch decided.
   *
   * @param <K> key type
   * @param <V> value type
   */
  public static final class Verdict<K, V> {
    private final List<ConsumerRecord<K, V>> toHandle;
    private final List<Plan.Item<K, V>> toRecover = new ArrayList<>();
    private int redeliveries;
    private int resends;
    /** What to do once the transaction committed (sequencing: forget a released sequence). */
    private final List<Runnable> afterCommit = new ArrayList<>();

    Verdict(int size) {
      this.toHandle = new ArrayList<>(size);
    }

    /** Adds the verdict of a part of the same transaction's records (sequencing claims a batch in parts). */
    void add(Verdict<K, V> part) {
      toHandle.addAll(part.toHandle);
      toRecover.addAll(part.toRecover);
      redeliveries += part.redeliveries;
      resends += part.resends;
      afterCommit.addAll(part.afterCommit);
    }

    /** Adds what sequencing did itself: duplicates it skipped and what to do after the commit. */
    void add(Tally sequencing) {
      redeliveries += sequencing.redeliveries;
      resends += sequencing.resends;
      afterCommit.addAll(sequencing.afterCommit);
    }

    /** Puts the records to handle and to recover back in the order of {@code items} (the poll's). */
    void inOrderOf(List<Plan.Item<K, V>> items) {
      Map<ConsumerRecord<K, V>, Integer> position = new IdentityHashMap<>();
      for (int i = 0; i < items.size(); i++) {
        position.put(items.get(i).record(), i);
      }
      toHandle.sort(Comparator.comparingInt(r -> position.getOrDefault(r, Integer.MAX_VALUE)));
      toRecover.sort(Comparator.comparingInt(
          item -> position.getOrDefault(item.record(), Integer.MAX_VALUE)));
    }

    /** @return the records for the handler, in poll order (fresh ones; in observe mode the duplicates too) */
    public List<ConsumerRecord<K, V>> toHandle() {
      return toHandle;
    }

    /**
     * @return the records for the recoverer, in poll order, each with its reason ({@code rejection()}): unusable
     *     keys and replays of dead-lettered keys ({@code DEAD_LETTERED_BEFORE})
     */
    public List<Plan.Item<K, V>> toRecover() {
      return toRecover;
    }

    /** @return duplicates at the offset that claimed the key first */
    public int redeliveries() {
      return redeliveries;
    }

    /** @return duplicates at other offsets, or repeated inside the batch */
    public int resends() {
      return resends;
    }

    /**
     * Reports the counts of a committed transaction, after running what sequencing left to do once it
     * committed (forgetting a sequence it released).
     *
     * @param metrics where counts go
     * @param scope the dedup scope
     * @param handled how many records the handler applied in it
     */
    public void report(DedupMetrics metrics, String scope, int handled) {
      afterCommit.forEach(Runnable::run);
      afterCommit.clear();
      Tally.reportCounts(metrics, scope, handled, redeliveries, resends);
    }
  }
}

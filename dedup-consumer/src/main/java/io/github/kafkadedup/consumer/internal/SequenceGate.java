package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.Sequencing;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.outbox.internal.ParkedSequences;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequencing in the engine: which sequences of this consumer's partitions are parked (loaded the first time a
 * partition is seen after its assignment, then kept by this consumer's own dead-lettering; a release by an
 * operator is found in the database when the next record of the sequence arrives), and what happens to a record
 * of a parked sequence: parked behind the head, applied if it is the next replayed record, or queued behind a
 * replay under way. A batch with no record of a known parked sequence touches nothing here.
 *
 * <p>The one home of the sequencing rule: the engine applies batches through {@link #apply}; integrations that
 * call their listener themselves (the Spring adapters) claim through {@link #claim} and dead-letter through
 * {@link DeadLetterStore#store(Connection, String, ConsumerRecord, String, DedupException, SequenceGate)}.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
public final class SequenceGate<K, V> {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.PROCESSOR);

  private final Sequencing<K, V> sequencing;
  private final String scope;
  private final DedupSchema schema;
  private final ParkedSequences parked;
  private final Classifier classifier;
  private final DeadLetterTable<K, V> table;
  /** Parked sequence keys per partition; a partition absent here is loaded when next seen. */
  private final Map<TopicPartition, Set<String>> known = new ConcurrentHashMap<>();

  SequenceGate(Sequencing<K, V> sequencing, String scope, DedupSchema schema, Classifier classifier,
      DeadLetterTable<K, V> table) {
    this.sequencing = sequencing;
    this.scope = scope;
    this.schema = schema;
    this.parked = new ParkedSequences(schema);
    this.classifier = classifier;
    this.table = table;
  }

  /**
   * The gate of one consumer (a Spring listener container): its parked sequences are those of {@code scope}.
   *
   * @param sequencing the sequence key of a record
   * @param scope the dedup scope
   * @param config the schema and the claim rules
   * @param store where dead letters and parked records are stored (its serializers make their bytes)
   * @param <K> record key type
   * @param <V> record value type
   * @return the gate; shared by the consumer threads of the container (each partition is on one of them)
   */
  public static <K, V> SequenceGate<K, V> of(Sequencing<K, V> sequencing, String scope,
      DedupConfig config, DeadLetterStore<K, V> store) {
    return new SequenceGate<>(java.util.Objects.requireNonNull(sequencing, "sequencing"), scope, config.schema(),
        Classifier.of(config), store.table());
  }

  /**
   * Claims {@code items} in the caller's transaction by the sequencing rules, for a caller that then calls its
   * listener for {@link Classifier.Verdict#toHandle()} in the same transaction: records of sequences not parked
   * are claimed as {@link Classifier#claim} does; a record of a parked sequence is parked (stored and claimed
   * {@code D}), queued behind its sequence's replay, skipped as a duplicate, or, if it is the next replayed
   * record or its sequence was released, claimed to be handled (the release is written now and commits with
   * the listener's writes). {@link Classifier.Verdict#report} after the commit forgets released sequences.
   *
   * @param c the caller's connection, inside its transaction
   * @param items the records in poll order, none rejected
   * @return one verdict for all of them, its lists in poll order
   * @throws SQLException on database failure (the transaction must roll back)
   */
  public Classifier.Verdict<K, V> claim(Connection c, List<Plan.Item<K, V>> items) throws SQLException {
    Classifier.Verdict<K, V> verdict = new Classifier.Verdict<>(items.size());
    Tally tally;
    try {
      tally = apply(c, new Plan<>(items), (conn, part) -> {
        verdict.add(classifier.claim(conn, scope, part.items()));
        return new Tally();
      });
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e); // the claim above throws nothing else
    }
    verdict.add(tally);
    verdict.inOrderOf(items);
    return verdict;
  }

  /** How the engine applies records of sequences that are not parked (claim, classify, handle). */
  @FunctionalInterface
  interface Free<K, V> {
    Tally apply(Connection c, Plan<K, V> plan) throws Exception;
  }

  /**
   * The sequence key of {@code record} ({@link Sequencing#keyOf}).
   *
   * @param record a consumed record
   * @return its sequence key, or null if it belongs to no sequence
   */
  public @Nullable String sequenceOf(ConsumerRecord<K, V> record) {
    return Sequencing.keyOf(sequencing, record);
  }

  /**
   * Forgets {@code partitions} (revoked, lost or newly assigned): their parked sequences are loaded again when
   * they are next seen, so that a new owner of a partition knows what is parked.
   *
   * @param partitions the partitions
   */
  public void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(known::remove);
  }

  /** Records that this consumer parked {@code sequenceKey} of {@code record}'s partition (after storing its head). */
  void parkedNow(Connection c, ConsumerRecord<K, V> record, String sequenceKey, long headId) throws SQLException {
    parked.park(c, idOf(record, sequenceKey), headId);
    known.computeIfAbsent(partitionOf(record), tp -> ConcurrentHashMap.newKeySet()).add(sequenceKey);
    log.warn("[{}] sequence '{}' of {} parked behind dead letter {}: its later records wait behind it", scope,
        sequenceKey, partitionOf(record), headId);
  }

  /** Applies {@code plan}: records of parked sequences by the sequencing rules, in offset order, the rest freely. */
  Tally apply(Connection c, Plan<K, V> plan, Free<K, V> free) throws Exception {
    List<Plan.Item<K, V>> held = new ArrayList<>();
    List<Plan.Item<K, V>> flowing = new ArrayList<>(plan.items().size());
    Set<ParkedSequences.Id> rejected = new java.util.HashSet<>(); // dead-lettered by this batch: park the rest
    for (Plan.Item<K, V> item : plan.items()) {
      Set<String> keys = parkedIn(c, partitionOf(item.record()));
      boolean any = !keys.isEmpty() || !rejected.isEmpty() || item.rejection() != null;
      String sequence = any ? sequenceOf(item.record()) : null;
      ParkedSequences.Id id = sequence == null ? null : idOf(item.record(), sequence);
      if (sequence != null && (keys.contains(sequence) || rejected.contains(id))) {
        held.add(item);
      } else {
        flowing.add(item);
        if (id != null && item.rejection() != null) {
          rejected.add(id);
        }
      }
    }
    if (held.isEmpty()) {
      return free.apply(c, plan);
    }
    Tally tally = flowing.isEmpty() ? new Tally() : free.apply(c, new Plan<>(flowing));
    for (Plan.Item<K, V> item : held) {
      tally.add(held(c, item, free));
    }
    return tally;
  }

  private Set<String> parkedIn(Connection c, TopicPartition tp) throws SQLException {
    Set<String> keys = known.get(tp);
    if (keys == null) {
      keys = ConcurrentHashMap.newKeySet();
      keys.addAll(parked.load(c, scope, tp.topic(), tp.partition()));
      if (!keys.isEmpty()) {
        log.info("[{}] {} sequence(s) of {} are parked behind dead letters", scope, keys.size(), tp);
      }
      known.put(tp, keys);
    }
    return keys;
  }

  private Tally held(Connection c, Plan.Item<K, V> item, Free<K, V> free) throws Exception {
    ConsumerRecord<K, V> record = item.record();
    String sequence = java.util.Objects.requireNonNull(sequenceOf(record));
    ParkedSequences.Id id = idOf(record, sequence);
    ParkedSequences.Row row = parked.lock(c, id);
    if (row == null) { // released by an operator (discarded with its followers) or by its last replayed record
      Tally tally = free.apply(c, Plan.single(item));
      tally.afterCommit.add(() -> forgetSequence(record, sequence));
      return tally;
    }
    if (!row.replaying()) {
      return park(c, item, sequence, row.headId());
    }
    Long copyOf = replayOf(record);
    Boolean applied = copyOf == null ? null : parked.replayedCopy(c, copyOf, id);
    if (applied == null) {
      return queue(c, item, sequence, row.headId());
    }
    if (applied) {
      Tally redelivered = new Tally();
      redelivered.redeliveries = 1; // this replayed copy was applied before
      return redelivered;
    }
    Tally tally = free.apply(c, Plan.single(item));
    if (parked.applied(c, id, copyOf)) {
      log.info("[{}] sequence '{}' of {} released: its last replayed record was applied at {}", scope, sequence,
          partitionOf(record), RecordLog.where(record));
      tally.afterCommit.add(() -> forgetSequence(record, sequence));
    }
    return tally;
  }

  /** Stores {@code item} parked behind {@code headId}, its key claimed {@code D}. */
  private Tally park(Connection c, Plan.Item<K, V> item, String sequence, long headId) throws SQLException {
    ConsumerRecord<K, V> record = item.record();
    Tally tally = new Tally();
    String key = item.rejection() == null ? item.key() : null;
    if (key != null) {
      Classifier.Parking parking = classifier.claimParked(c, scope, record, key);
      if (parking != Classifier.Parking.CLAIMED) {
        tally.add(duplicate(parking == Classifier.Parking.REDELIVERY));
        return tally;
      }
    }
    Long id = table.storeSequenced(c, schema, scope, record, key, DedupException.sequenceParked(record, key, headId),
        sequence, DeadLetters.State.PARKED);
    if (id == null) {
      return duplicate(true);
    }
    log.info("[{}] parked {} (sequence '{}') behind dead letter {} as dead letter {}", scope,
        RecordLog.where(record), sequence, headId, id);
    tally.parked = 1;
    return tally;
  }

  /** A record arriving while its sequence is replayed: stored and queued behind the replayed records. */
  private Tally queue(Connection c, Plan.Item<K, V> item, String sequence, long headId) throws SQLException {
    ConsumerRecord<K, V> record = item.record();
    ParkedSequences.Id id = idOf(record, sequence);
    String key = item.rejection() == null ? item.key() : null;
    Long dl = table.storeSequenced(c, schema, scope, record, key, DedupException.sequenceParked(record, key,
        headId), sequence, DeadLetters.State.REPLAYED);
    if (dl == null) {
      return duplicate(true);
    }
    parked.replaying(c, id, 1);
    log.info("[{}] queued {} (sequence '{}') behind its sequence's replay as dead letter {}", scope,
        RecordLog.where(record), sequence, dl);
    Tally tally = new Tally();
    tally.parked = 1;
    return tally;
  }

  private static Tally duplicate(boolean redelivery) {
    Tally tally = new Tally();
    if (redelivery) {
      tally.redeliveries = 1;
    } else {
      tally.resends = 1;
    }
    return tally;
  }

  private void forgetSequence(ConsumerRecord<K, V> record, String sequence) {
    Set<String> keys = known.get(partitionOf(record));
    if (keys != null) {
      keys.remove(sequence);
    }
  }

  private static @Nullable Long replayOf(ConsumerRecord<?, ?> record) {
    Header h = record.headers().lastHeader(DeadLetters.REPLAY_OF_HEADER);
    if (h == null || h.value() == null) {
      return null;
    }
    try {
      return Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private ParkedSequences.Id idOf(ConsumerRecord<?, ?> record, String sequence) {
    return new ParkedSequences.Id(scope, record.topic(), record.partition(), sequence);
  }

  private static TopicPartition partitionOf(ConsumerRecord<?, ?> record) {
    return new TopicPartition(record.topic(), record.partition());
  }
}

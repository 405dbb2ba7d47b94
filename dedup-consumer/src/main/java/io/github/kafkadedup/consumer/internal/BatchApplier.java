package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.BatchHandler;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.consumer.Sequencing;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.internal.Observations;
import io.github.kafkadedup.outbox.internal.OutboxWriter;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of one dedup transaction: claim the plan's keys, classify the duplicates, call the handler
 * for the fresh records, hand unusable records to the recoverer.
 */
final class BatchApplier<K, V> {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.PROCESSOR);

  private final Classifier classifier;
  private final DedupSchema schema;
  private final String scope;
  private final BatchHandler<K, V> handler;
  private final Recoverer<K, V> recoverer;
  private final @Nullable OutboxWriter<?, ?> outbox;
  private final ObservationRegistry observations;
  private final @Nullable SequenceGate<K, V> gate;

  BatchApplier(DedupConfig config, String scope, BatchHandler<K, V> handler,
      Recoverer<K, V> recoverer, @Nullable OutboxWriter<?, ?> outbox, @Nullable Sequencing<K, V> sequencing) {
    this.outbox = outbox;
    this.observations = config.observationRegistry();
    this.classifier = Classifier.of(config);
    this.schema = config.schema();
    this.scope = scope;
    this.handler = handler;
    this.recoverer = recoverer;
    this.gate = sequencing == null ? null : new SequenceGate<>(sequencing, scope, schema, classifier,
        (DeadLetterTable<K, V>) recoverer); // the builder checked the recoverer
  }

  /** Forgets what sequencing knows of {@code partitions} (revoked, lost or newly assigned). */
  void forget(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
    if (gate != null) {
      gate.forget(partitions);
    }
  }

  Tally apply(Connection c, Plan<K, V> plan) throws Exception {
    return gate == null ? applyFree(c, plan) : gate.apply(c, plan, this::applyFree);
  }

  /** Claims, classifies and handles {@code plan} (no sequencing rule). */
  private Tally applyFree(Connection c, Plan<K, V> plan) throws Exception {
    Observation claim = Observations.claim(observations, scope, plan.items().size());
    Classifier.Verdict<K, V> verdict;
    try {
      verdict = classifier.claim(c, scope, plan.items());
    } catch (Exception e) {
      claim.error(e);
      throw e;
    } finally {
      claim.stop();
    }
    Tally tally = new Tally();
    tally.redeliveries = verdict.redeliveries();
    tally.resends = verdict.resends();
    List<ConsumerRecord<K, V>> toHandle = verdict.toHandle();
    if (!toHandle.isEmpty()) {
      HandlerContext context = new HandlerContext(c, scope, outbox);
      Set<ConsumerRecord<K, V>> handled = Collections.newSetFromMap(new IdentityHashMap<>());
      handled.addAll(toHandle);
      for (Plan.Item<K, V> item : plan.items()) {
        if (handled.contains(item.record())) {
          context.handles(item.record(), item.key()); // outbox keys derive from the handled record's key
        }
      }
      handler.handle(toHandle, context);
      context.flush();
      tally.processed += toHandle.size();
    }
    for (Plan.Item<K, V> item : verdict.toRecover()) {
      tally.add(deadLetter(c, item.record(), item.key(), java.util.Objects.requireNonNull(item.rejection())));
    }
    return tally;
  }

  /** Hands {@code record} to the recoverer and records its key (if any) as dead-lettered. */
  Tally deadLetter(Connection c, ConsumerRecord<K, V> record, @Nullable String key,
      DedupException reason) throws Exception {
    Tally tally = new Tally();
    if (!claimAndRecover(c, record, key, reason)) {
      // another consumer (a zombie or the new owner) already applied or dead-lettered this very record
      tally.redeliveries = 1;
      return tally;
    }
    log.warn("[{}] dead-lettered {}: {}", scope, RecordLog.where(record), reason.getMessage());
    tally.deadLettered = 1;
    tally.deadLetterKinds.add(reason.kind());
    return tally;
  }

  /** Claims the key {@code D} and hands the record on; false if this very record was seen before. */
  private boolean claimAndRecover(Connection c, ConsumerRecord<K, V> record, @Nullable String key,
      DedupException reason) throws Exception {
    if (recoverer instanceof DeadLetterTable<K, V> table) {
      // in this transaction, with the D claim: a failure here rolls both back (and is retried if transient)
      String sequence = gate == null ? null : gate.sequenceOf(record);
      Long id = table.deadLetter(classifier, c, schema, scope, record, key, reason, sequence);
      if (id != null && sequence != null) {
        java.util.Objects.requireNonNull(gate).parkedNow(c, record, sequence, id);
      }
      return id != null;
    }
    if (key != null && !classifier.claimDeadLetter(c, scope, record, key)) {
      return false;
    }
    try {
      recoverer.recover(record, reason);
    } catch (Exception e) {
      throw DedupException.recovererFailed(record, key, e);
    }
    return true;
  }
}

package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.DeadLetterStore;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.SequenceGate;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The exactly-once recoverer for a {@code DefaultErrorHandler} of kafka-dedup containers, in place of a
 * {@code DeadLetterPublishingRecoverer}: in ONE database transaction it claims the record's key as
 * dead-lettered ({@code D}) and stores the record (raw key, value and headers, reason, exception) in the
 * {@code dead_letters} table with its copy for the dead-letter topic in the outbox; an
 * {@link io.github.kafkadedup.outbox.OutboxRelay} ({@code dedup.outbox.relay.enabled=true}) publishes the copy
 * after the commit, exactly as the engine's {@code Recoverer.deadLetterTable} does. A redelivered record that
 * was stored already is not stored twice. If the transaction fails, the recoverer throws and the error handler
 * delivers the record again.
 *
 * <pre>{@code
 * @Bean
 * DefaultErrorHandler errorHandler(DedupListeners dedup) {
 *   return new DefaultErrorHandler(
 *       DeadLetterTableRecoverer.of(dedup, new StringSerializer(), new StringSerializer()),
 *       new FixedBackOff(100, 2));
 * }
 * }</pre>
 *
 * <p>The dead-letter topic is {@code <topic>.DLT} unless given; the copy carries Spring-independent
 * {@code dedup-dlt-*} headers and an {@code idempotency-key}. Records an {@code ErrorHandlingDeserializer}
 * could not read are stored with their original bytes, reason {@code undeserializable}, without the
 * deserializer's exception headers. Use it only for
 * containers that kafka-dedup decorates (it names their scope); elsewhere it throws.
 */
public final class DeadLetterTableRecoverer implements ConsumerRecordRecoverer {
  private static final Logger log = LoggerFactory.getLogger(DedupListeners.class);
  /** Whether a recoverer was created in this JVM: the auto-configuration says so when no relay runs here. */
  private static final java.util.concurrent.atomic.AtomicBoolean CREATED =
      new java.util.concurrent.atomic.AtomicBoolean();

  private final ClaimStep claims;
  private final TransactionTemplate transactions;
  private final DataSource dataSource;
  private final @Nullable String fixedScope;
  private final DeadLetterStore<Object, Object> store;
  private final SpringDeadLetterReasons reasons;

  @SuppressWarnings("unchecked")
  private DeadLetterTableRecoverer(DedupListeners dedup, Serializer<?> keySerializer, Serializer<?> valueSerializer,
      Function<ConsumerRecord<?, ?>, String> topic) {
    CREATED.set(true);
    this.claims = dedup.claims();
    this.transactions = dedup.transactions();
    this.dataSource = claims.dataSource();
    this.fixedScope = dedup.config().scope();
    this.store = DeadLetterStore.of(dedup.config(), (Serializer<Object>) keySerializer,
        (Serializer<Object>) valueSerializer, topic);
    dedup.deadLetterTable(store);
    this.reasons = new SpringDeadLetterReasons((Serializer<Object>) keySerializer,
        (Serializer<Object>) valueSerializer);
  }

  /**
   * Whether any {@code DeadLetterTableRecoverer} was created in this JVM. The auto-configuration logs a warning
   * at start-up when one was and no {@link io.github.kafkadedup.outbox.OutboxRelay} runs in the application
   * ({@code dedup.outbox.relay.enabled} is not {@code true}): the dead letters are then stored but published to
   * no dead-letter topic until a relay runs somewhere.
   *
   * @return true once a recoverer was created
   */
  public static boolean created() {
    return CREATED.get();
  }

  /**
   * A recoverer that stores dead letters for the dead-letter topic {@code <topic>.DLT}.
   *
   * @param dedup the decoration of the containers whose error handler gets this recoverer (its DataSource,
   *     transaction manager, schema and key strategy)
   * @param keySerializer turns a record key back to bytes (as the producer wrote it)
   * @param valueSerializer turns a record value back to bytes
   * @return the recoverer
   */
  public static DeadLetterTableRecoverer of(DedupListeners dedup, Serializer<?> keySerializer,
      Serializer<?> valueSerializer) {
    return of(dedup, keySerializer, valueSerializer, r -> r.topic() + ".DLT");
  }

  /**
   * A recoverer with a chosen dead-letter topic per record.
   *
   * @param dedup the decoration of the containers whose error handler gets this recoverer
   * @param keySerializer turns a record key back to bytes
   * @param valueSerializer turns a record value back to bytes
   * @param topic the dead-letter topic of a record
   * @return the recoverer
   */
  public static DeadLetterTableRecoverer of(DedupListeners dedup, Serializer<?> keySerializer,
      Serializer<?> valueSerializer, Function<ConsumerRecord<?, ?>, String> topic) {
    return new DeadLetterTableRecoverer(Objects.requireNonNull(dedup, "dedup"),
        Objects.requireNonNull(keySerializer, "keySerializer"),
        Objects.requireNonNull(valueSerializer, "valueSerializer"), Objects.requireNonNull(topic, "topic"));
  }

  /**
   * Stores {@code record} as dead-lettered for {@code failure}, with its key's {@code D} claim, in one
   * transaction (joining the thread's transaction if one is active).
   *
   * @throws IllegalStateException if the calling consumer thread is not one of a kafka-dedup container and no
   *     fixed scope is configured
   * @throws DedupException of kind {@code DATABASE} if the transaction fails (the error handler then delivers
   *     the record again)
   */
  @Override
  @SuppressWarnings("unchecked")
  public void accept(ConsumerRecord<?, ?> record, @Nullable Exception failure) {
    String scope = DeadLetterClaims.scope();
    if (scope == null) {
      scope = fixedScope;
    }
    if (scope == null) {
      throw new IllegalStateException("DeadLetterTableRecoverer got " + EngineRules.where(record) + " on a "
          + "thread that is not a consumer of a kafka-dedup container: use it only in the error handler of "
          + "containers that kafka-dedup decorates (or set a fixed dedup scope)");
    }
    ConsumerRecord<Object, Object> r = (ConsumerRecord<Object, Object>) record;
    Plan.Item<Object, Object> item = claims.plan(List.of(r)).items().getFirst();
    DedupException reason = reasons.of(r, item, failure);
    ConsumerRecord<Object, Object> stripped = SpringDeadLetterReasons.withoutSpringHeaders(r);
    String s = scope;
    SequenceGate<Object, Object> gate = (SequenceGate<Object, Object>) DeadLetterClaims.gate();
    Boolean stored = CommitOutcome.execute(transactions, status -> {
      Connection c = DataSourceUtils.getConnection(dataSource);
      try {
        return store.store(c, s, stripped, item.key(), reason, gate); // with sequencing, parks its sequence
      } catch (SQLException e) {
        throw DedupException.database("[" + s + "] storing the dead letter " + EngineRules.where(record)
            + " failed", e);
      } finally {
        DataSourceUtils.releaseConnection(c, dataSource);
      }
    });
    DeadLetterClaims.claimedByRecoverer(record); // its retry listener must not claim the key again
    if (Boolean.TRUE.equals(stored)) {
      claims.metrics().deadLettered(scope, reason.kind());
      log.warn("[{}] dead-lettered {}: {}", scope, EngineRules.where(record), reason.getMessage());
    }
  }

  @Override
  public String toString() {
    return "DeadLetterTableRecoverer{" + store + "}";
  }
}

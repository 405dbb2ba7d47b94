package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.producer.DedupConsumerConfig;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DelegatingMessageListener;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.adapter.AsyncRepliesAware;
import org.springframework.kafka.transaction.KafkaAwareTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Start-up checks of settings that would silently break exactly-once; each message names the fix. */
final class ContainerChecks {

  private ContainerChecks() {}

  /** Rejects {@code enable.auto.commit=true} in {@code consumerProperties} of {@code who}. */
  static void checkAutoCommit(String who, @Nullable Map<?, ?> consumerProperties) {
    if (DedupConsumerConfig.autoCommits(consumerProperties)) {
      throw DedupException.configuration(who + " has enable.auto.commit=true: the consumer would commit offsets "
          + "on a timer, before the database transaction of the records commits, and a crash in between loses "
          + "them. Fix: remove spring.kafka.consumer.enable-auto-commit (Spring Kafka then commits after the "
          + "listener) or set it, and enable.auto.commit, to false");
    }
  }

  /**
   * Rejects listener methods that return a {@code CompletableFuture} or {@code Mono}: their work finishes on
   * another thread, after the transaction that claimed the key has ended.
   */
  static void checkNotAsync(String id, @Nullable Object listener) {
    for (Object l = listener; l != null; l = l instanceof DelegatingMessageListener<?> d ? d.getDelegate() : null) {
      if (l instanceof AsyncRepliesAware async && async.isAsyncReplies()) {
        throw DedupException.configuration("listener container '" + id + "' calls an asynchronous listener "
            + "method (it returns a CompletableFuture or Mono): its writes would happen after the transaction "
            + "that claimed the key ended. Fix: make the method return void (or a plain value)");
      }
    }
  }

  /** Rejects a container transaction manager (other than Kafka's) that does not bind {@code dataSource}. */
  @SuppressWarnings("removal")
  static void checkContainerTransactionManager(String id, ContainerProperties properties, DataSource dataSource) {
    PlatformTransactionManager tm = properties.getTransactionManager();
    if (tm != null && !(tm instanceof KafkaAwareTransactionManager<?, ?>)) {
      checkBinds("the transaction manager of listener container '" + id + "'", tm, dataSource);
    }
  }

  /**
   * Starts (and rolls back) one transaction of {@code tm} and checks that it bound a connection of
   * {@code dataSource}: then {@code DataSourceUtils}, {@code JdbcTemplate} and jOOQ's Spring transaction
   * provider all use that transaction's connection.
   */
  static void checkBinds(String who, PlatformTransactionManager tm, DataSource dataSource) {
    TransactionTemplate probe = new TransactionTemplate(tm);
    probe.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    Boolean bound = probe.execute(status -> {
      status.setRollbackOnly();
      return TransactionSynchronizationManager.hasResource(dataSource);
    });
    if (!Boolean.TRUE.equals(bound)) {
      throw DedupException.configuration(who + " (" + tm.getClass().getName() + ") is not bound to the dedup "
          + "DataSource (" + dataSource + "): the claims would commit apart from the listener's writes. Fix: use "
          + "a DataSourceTransactionManager or JdbcTransactionManager on that DataSource (a JpaTransactionManager "
          + "needs setDataSource with it), or name such a bean in dedup.transaction-manager");
    }
  }

  /**
   * Sequencing parks a sequence only where its head is dead-lettered in the dead-letter table, as the engine
   * requires {@code Recoverer.deadLetterTable}.
   *
   * @return the store of the {@link DeadLetterTableRecoverer} made for the decoration
   * @throws DedupException of kind {@code CONFIGURATION} naming the property and the fix if there is none
   */
  static <S> S checkSequencing(String id, @Nullable S deadLetterStore) {
    if (deadLetterStore == null) {
      throw DedupException.configuration("listener container '" + id + "' has sequencing on "
          + "(dedup.listener.sequencing=record-key / DedupListeners.Builder.sequencing), which parks a sequence "
          + "behind its dead letter in the dead-letter table: give the containers' DefaultErrorHandler a "
          + "DeadLetterTableRecoverer.of(dedupListeners, keySerializer, valueSerializer) as its recoverer (a bean "
          + "created before the containers start), or set dedup.listener.sequencing=none");
    }
    return deadLetterStore;
  }

  /**
   * Rejects a record listener container that cannot deliver whole polls, which one transaction per poll needs:
   * the adapter makes the container see a batch listener.
   */
  @SuppressWarnings("removal")
  static void checkPollDelivery(MessageListenerContainer container, String id) {
    ContainerProperties properties = container.getContainerProperties();
    String fix = ". Fix: remove it, or keep one transaction per record with dedup.listener.transaction-per=record "
        + "(DedupListeners.Builder.transactionPer(RECORD))";
    if (properties.getAckMode() == ContainerProperties.AckMode.RECORD) {
      throw DedupException.configuration("listener container '" + id + "' has AckMode.RECORD "
          + "(spring.kafka.listener.ack-mode=record), which Spring Kafka refuses for the poll-at-once delivery of "
          + "kafka-dedup's one transaction per poll; offsets are committed after each poll's transaction anyway"
          + fix.replace("remove it", "use ack-mode batch (the default), manual or manual_immediate"));
    }
    if (container instanceof AbstractMessageListenerContainer<?, ?> c && c.getRecordInterceptor() != null) {
      throw DedupException.configuration("listener container '" + id + "' has a RecordInterceptor ("
          + c.getRecordInterceptor().getClass().getName() + "), which a container delivering whole polls (kafka-dedup's "
          + "one transaction per poll) would not call" + fix.replace("remove it", "replace it by a BatchInterceptor"));
    }
    if (properties.getKafkaAwareTransactionManager() != null
        || properties.getTransactionManager() instanceof KafkaAwareTransactionManager<?, ?>) {
      throw DedupException.configuration("listener container '" + id + "' runs Kafka transactions "
          + "(spring.kafka.producer.transaction-id-prefix): their AfterRollbackProcessor cannot isolate one failed "
          + "record of a poll" + fix.replace("remove it", "drop the Kafka transaction manager from the container"));
    }
  }
}

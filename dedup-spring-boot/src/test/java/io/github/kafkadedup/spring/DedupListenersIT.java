package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;

/** {@link DedupListeners#decorate} against a real PostgreSQL (no broker: containers are not started). */
class DedupListenersIT {
  static TestDatabase db;

  @BeforeAll
  static void database() {
    db = TestPostgres.get().createDatabase("spring-decorate");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static KafkaMessageListenerContainer<String, String> container(Object listener, Map<String, Object> consumer) {
    ContainerProperties props = new ContainerProperties("orders");
    props.setMessageListener(listener);
    var container = new KafkaMessageListenerContainer<>(new DefaultKafkaConsumerFactory<String, String>(consumer),
        props);
    container.setBeanName("orders-listener");
    return container;
  }

  private static DedupListeners listeners(DedupConfig config) {
    return DedupListeners.builder(db.dataSource(), new DataSourceTransactionManager(db.dataSource()))
        .config(config).build();
  }

  @Test
  void recordAndBatchListenersAreWrappedOnce() {
    DedupListeners listeners = listeners(DedupConfig.defaults());
    MessageListener<String, String> record = r -> { };
    var recordContainer = container(record, Map.of("group.id", "billing"));
    listeners.decorate(recordContainer);
    Object wrapped = recordContainer.getContainerProperties().getMessageListener();
    assertThat(wrapped).isInstanceOf(PollListenerAdapter.class); // one transaction per poll by default
    assertThat(((PollListenerAdapter<?, ?>) wrapped).getDelegate()).isSameAs(record);
    listeners.decorate(recordContainer);
    assertThat(recordContainer.getContainerProperties().getMessageListener()).isSameAs(wrapped);

    BatchMessageListener<String, String> batch = (List<ConsumerRecord<String, String>> records) -> { };
    var batchContainer = container(batch, Map.of("group.id", "billing"));
    listeners.decorate(batchContainer);
    assertThat(batchContainer.getContainerProperties().getMessageListener()).isInstanceOf(BatchListenerAdapter.class);
  }

  @Test
  void aContainerWithoutGroupIdNeedsAScope() {
    MessageListener<String, String> record = r -> { };
    assertThatThrownBy(() -> listeners(DedupConfig.defaults()).decorate(container(record, Map.of())))
        .hasMessageStartingWith("listener container 'orders-listener' has no consumer group id")
        .hasMessageContaining("or a fixed scope (dedup.scope / DedupConfig.scope)");
    var container = container(record, Map.of());
    listeners(DedupConfig.builder().scope("billing").build()).decorate(container);
    assertThat(container.getContainerProperties().getMessageListener()).isInstanceOf(PollListenerAdapter.class);
  }

  @Test
  void transactionPerRecordKeepsTheRecordAdapter() {
    DedupListeners listeners = DedupListeners.builder(db.dataSource(), new DataSourceTransactionManager(db.dataSource()))
        .transactionPer(DedupListeners.TransactionPer.RECORD).build();
    MessageListener<String, String> record = r -> { };
    var container = container(record, Map.of("group.id", "billing"));
    container.getContainerProperties().setAckMode(ContainerProperties.AckMode.RECORD);
    listeners.decorate(container);
    assertThat(container.getContainerProperties().getMessageListener()).isInstanceOf(RecordListenerAdapter.class);
  }

  @Test
  void aRecordContainerThatCannotDeliverPollsIsRejectedWithTheFix() {
    DedupListeners listeners = listeners(DedupConfig.defaults());
    MessageListener<String, String> record = r -> { };
    var ackRecord = container(record, Map.of("group.id", "billing"));
    ackRecord.getContainerProperties().setAckMode(ContainerProperties.AckMode.RECORD);
    assertThatThrownBy(() -> listeners.decorate(ackRecord))
        .hasMessageStartingWith("listener container 'orders-listener' has AckMode.RECORD")
        .hasMessageContaining("dedup.listener.transaction-per=record");
    var intercepted = container(record, Map.of("group.id", "billing"));
    intercepted.setRecordInterceptor((r, c) -> r);
    assertThatThrownBy(() -> listeners.decorate(intercepted))
        .hasMessageStartingWith("listener container 'orders-listener' has a RecordInterceptor")
        .hasMessageContaining("replace it by a BatchInterceptor");
  }

  @Test
  void aTransactionManagerOfAnotherDatabaseIsRejected() {
    try (TestDatabase other = TestPostgres.get().createDatabase("spring-decorate-other")) {
      DedupListeners listeners = DedupListeners.builder(db.dataSource(),
          new DataSourceTransactionManager(other.dataSource())).build();
      MessageListener<String, String> record = r -> { };
      assertThatThrownBy(() -> listeners.decorate(container(record, Map.of("group.id", "g"))))
          .hasMessageContaining("the dedup transaction manager")
          .hasMessageContaining("is not bound to the dedup DataSource");
    }
  }
}

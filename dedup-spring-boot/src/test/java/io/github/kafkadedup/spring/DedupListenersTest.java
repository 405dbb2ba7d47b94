package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.Sequencing;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.Acknowledgment;

/** Checks and classification that need no infrastructure. */
class DedupListenersTest {

  @Test
  void transientDatabaseFailuresAreRetryableAndOthersAreNot() {
    assertThat(DedupListeners.isTransient(new SQLException("serialization", "40001"))).isTrue();
    assertThat(DedupListeners.isTransient(new SQLException("connection", "08006"))).isTrue();
    assertThat(DedupListeners.isTransient(new SQLTransientConnectionException("pool timeout"))).isTrue();
    assertThat(DedupListeners.isTransient(new CannotAcquireLockException("lock"))).isTrue();
    assertThat(DedupListeners.isTransient(new ListenerExecutionFailedException("wrapped",
        new RuntimeException(new SQLException("deadlock", "40P01"))))).isTrue();
    assertThat(DedupListeners.isTransient(new SQLException("unique", "23505"))).isFalse();
    assertThat(DedupListeners.isTransient(new DataIntegrityViolationException("check"))).isFalse();
    assertThat(DedupListeners.isTransient(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void aConsumerFactoryWithAutoCommitIsRejectedNamingTheFix() {
    var autoCommit = new DefaultKafkaConsumerFactory<String, String>(Map.of("enable.auto.commit", "true"));
    assertThatThrownBy(() -> DedupListeners.checkConsumerFactory(autoCommit))
        .isInstanceOfSatisfying(DedupException.class, e -> assertThat(e.kind())
            .isEqualTo(DedupException.Kind.CONFIGURATION))
        .hasMessageStartingWith("consumer factory has enable.auto.commit=true")
        .hasMessageContaining("Fix: remove spring.kafka.consumer.enable-auto-commit");
    DedupListeners.checkConsumerFactory(new DefaultKafkaConsumerFactory<>(Map.of("enable.auto.commit", false)));
    DedupListeners.checkConsumerFactory(new DefaultKafkaConsumerFactory<>(Map.of()));
  }

  @Test
  void sequencingNeedsTheDeadLetterTableRecovererAndHeartbeatsMakeIdleContainersCallBack() {
    javax.sql.DataSource dataSource = idleDataSource(); // decorate probes the transaction manager's binding
    DedupListeners listeners = DedupListeners.builder(dataSource, new DataSourceTransactionManager(dataSource))
        .sequencing(Sequencing.byRecordKey()).heartbeatInterval(Duration.ofSeconds(2)).build();
    assertThat(listeners.sequencing()).isNotNull();
    assertThat(listeners.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> listeners.decorate(container("ledger")))
        .isInstanceOfSatisfying(DedupException.class, e -> assertThat(e.kind())
            .isEqualTo(DedupException.Kind.CONFIGURATION))
        .hasMessageContaining("listener container 'ledger' has sequencing on (dedup.listener.sequencing=record-key")
        .hasMessageContaining("DeadLetterTableRecoverer.of(dedupListeners, keySerializer, valueSerializer)")
        .hasMessageContaining("or set dedup.listener.sequencing=none");

    DeadLetterTableRecoverer.of(listeners, new StringSerializer(), new StringSerializer());
    KafkaMessageListenerContainer<String, String> container = container("ledger-2");
    listeners.decorate(container);
    var adapter = (DedupListenerAdapter<?>) container.getContainerProperties().getMessageListener();
    assertThat(adapter.gate).as("the container's sequencing").isNotNull();
    assertThat(adapter.heartbeats).isNotNull();
    assertThat(container.getContainerProperties().getIdleEventInterval())
        .as("idle consumer threads refresh their heartbeat from the idle callback").isEqualTo(2000L);

    DedupListeners quiet = DedupListeners.builder(dataSource, new DataSourceTransactionManager(dataSource))
        .heartbeatInterval(Duration.ZERO).build();
    KafkaMessageListenerContainer<String, String> plain = container("plain");
    quiet.decorate(plain);
    assertThat(((DedupListenerAdapter<?>) plain.getContainerProperties().getMessageListener()).heartbeats).isNull();
    assertThat(plain.getContainerProperties().getIdleEventInterval()).isNull();
    assertThat(quiet.sequencing()).isNull();
    assertThatThrownBy(() -> DedupListeners.builder(dataSource, new DataSourceTransactionManager(dataSource))
        .heartbeatInterval(Duration.ofHours(2))).hasMessageContaining("heartbeatInterval must be between 0");
  }

  /** A DataSource whose connections accept every call and return defaults: enough for a probe transaction. */
  private static javax.sql.DataSource idleDataSource() {
    java.sql.Connection connection = proxy(java.sql.Connection.class,
        method -> method.getName().equals("getAutoCommit") ? Boolean.TRUE : null);
    return proxy(javax.sql.DataSource.class,
        method -> method.getName().equals("getConnection") ? connection : null);
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> of, java.util.function.Function<java.lang.reflect.Method, Object> answer) {
    return (T) java.lang.reflect.Proxy.newProxyInstance(of.getClassLoader(), new Class<?>[] {of},
        (self, method, args) -> {
          Object value = answer.apply(method);
          if (value != null || !method.getReturnType().isPrimitive()) {
            return value;
          }
          Class<?> type = method.getReturnType();
          Object zero = null; // void
          if (type == boolean.class) {
            zero = Boolean.FALSE;
          } else if (type == int.class) {
            zero = 0;
          } else if (type == long.class) {
            zero = 0L;
          }
          return zero;
        });
  }

  private static KafkaMessageListenerContainer<String, String> container(String name) {
    ContainerProperties props = new ContainerProperties("ledger");
    props.setGroupId("g-" + name);
    props.setMessageListener((MessageListener<String, String>) r -> { });
    var container = new KafkaMessageListenerContainer<>(new DefaultKafkaConsumerFactory<String, String>(Map.of()),
        props);
    container.setBeanName(name);
    return container;
  }

  @Test
  void aContainerOverridingAutoCommitIsRejectedNamingTheContainer() {
    ContainerProperties props = new ContainerProperties("orders");
    props.setMessageListener((MessageListener<String, String>) r -> { });
    props.getKafkaConsumerProperties().setProperty("enable.auto.commit", "true");
    var container = new KafkaMessageListenerContainer<>(new DefaultKafkaConsumerFactory<String, String>(Map.of()),
        props);
    container.setBeanName("orders-listener");
    var dataSource = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none");
    DedupListeners listeners = DedupListeners.builder(dataSource, new DataSourceTransactionManager(dataSource))
        .build();
    assertThatThrownBy(() -> listeners.decorate(container))
        .hasMessageStartingWith("orders-listener has enable.auto.commit=true");
    assertThat(props.getMessageListener()).isNotInstanceOf(RecordListenerAdapter.class);
  }

  @Test
  void acknowledgmentsWaitForTheCommitAndBatchIndexesMapToTheContainersBatch() {
    List<String> calls = new ArrayList<>();
    Acknowledgment target = new Acknowledgment() {
      @Override
      public void acknowledge() {
        calls.add("ack");
      }

      @Override
      public void acknowledge(int index) {
        calls.add("ack " + index);
      }

      @Override
      public void nack(int index, Duration sleep) {
        calls.add("nack " + index);
      }
    };
    var r0 = new ConsumerRecord<>("t", 0, 0, "k", "dup");
    var r1 = new ConsumerRecord<>("t", 0, 1, "k", "a");
    var r2 = new ConsumerRecord<>("t", 0, 2, "k", "b");
    DeferredAcknowledgment partial = DeferredAcknowledgment.forBatch(target, List.of(r0, r1, r2), List.of(r1, r2));
    partial.acknowledge(0);
    assertThat(calls).isEmpty();
    partial.forward();
    assertThat(calls).containsExactly("ack 1");

    calls.clear();
    DeferredAcknowledgment whole = DeferredAcknowledgment.forBatch(target, List.of(r0, r1, r2), List.of(r1, r2));
    whole.acknowledge();
    whole.forward();
    assertThat(calls).containsExactly("ack");

    calls.clear();
    DeferredAcknowledgment nacked = DeferredAcknowledgment.forBatch(target, List.of(r0, r1, r2), List.of(r1, r2));
    nacked.acknowledge();
    nacked.nack(1, Duration.ofMillis(10));
    nacked.forward();
    assertThat(nacked.nacked()).isTrue();
    assertThat(calls).containsExactly("nack 0");
  }
}

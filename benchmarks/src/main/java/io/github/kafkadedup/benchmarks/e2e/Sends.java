package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BusinessTable;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.testsupport.TestKafka;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The send modes (issue 14): the claims mode's handler, plus one outgoing record per consumed record
 * (same key and value), either through the outbox ({@code DedupContext.send}, published by a relay
 * started here, in the same process) or directly with a {@code KafkaProducer} from the handler.
 */
final class Sends {
  private Sends() {}

  static Runnable consumer(Mode mode, Map<String, Object> props, String topic, DataSource pool, RunProbe probe,
      E2eOptions options, String outTopic, List<Runnable> stoppers, List<Runnable> closers) {
    DedupConsumer.Builder<String, String> builder = DedupConsumer.builder(props, new StringDeserializer(),
            new StringDeserializer(), pool)
        .topics(topic)
        .keyStrategy(KeyStrategy.header())
        .recoverer(Recoverer.logAndMarkDead());
    if (mode == Mode.OUTBOX || mode == Mode.OUTBOX_TRACED) {
      ObservationRegistry observations = mode == Mode.OUTBOX_TRACED ? BenchTracing.registry() : ObservationRegistry.NOOP;
      builder.config(DedupConfig.builder().observationRegistry(observations).build());
      builder.outbox(Outbox.builder(new StringSerializer(), new StringSerializer()).build())
          .batchHandler((records, tx) -> {
            probe.batchStarting();
            BusinessTable.insert(tx.connection(), records, options.rowsPerRecord());
            for (var r : records) {
              tx.send(outTopic, r.key(), r.value());
            }
            probe.pending(records);
            probe.applied(records.size());
          });
      OutboxRelay relay = OutboxRelay.builder(pool, IdempotentProducerConfig.builder()
          .bootstrapServers(TestKafka.get().bootstrapServers()).build()).name("e2e-relay").observationRegistry(observations).build().start();
      closers.add(relay::close);
    } else {
      // what a handler without an outbox does: the idempotent producer preset, each batch's sends
      // acknowledged before the handler returns (so before the transaction and the offsets commit)
      KafkaProducer<String, String> producer = new KafkaProducer<>(directProducerProps(), new StringSerializer(),
          new StringSerializer());
      builder.batchHandler((records, tx) -> {
        probe.batchStarting();
        BusinessTable.insert(tx.connection(), records, options.rowsPerRecord());
        for (var r : records) {
          producer.send(new ProducerRecord<>(outTopic, r.key(), r.value()));
        }
        producer.flush(); // an exception of a failed send surfaces through the futures; none fail here
        probe.pending(records);
        probe.applied(records.size());
      });
      closers.add(() -> producer.close(Duration.ofSeconds(5)));
    }
    DedupConsumer<String, String> consumer = builder.config(Group.committedConfig(probe)).build();
    stoppers.add(consumer::close);
    return consumer::run;
  }

  /**
   * One consumer of the {@link Mode#OUTBOX_CHAIN} mode: hop A (group {@code <group>}) writes its business row
   * and one outbox send per record (same key and value, and the send-time header) to {@code midTopic}; hop B
   * (group {@code <group>-b}) consumes {@code midTopic}, writes its business row and reports to the probe. The
   * relay is started by the first consumer ({@code startRelay}). The runnable runs A and, on a thread of its
   * own, B.
   */
  static Runnable chain(Map<String, Object> props, String topic, DataSource pool, RunProbe probe,
      E2eOptions options, String midTopic, List<Runnable> stoppers, List<Runnable> closers, boolean startRelay) {
    DedupConsumer<String, String> a = DedupConsumer.builder(props, new StringDeserializer(),
            new StringDeserializer(), pool)
        .topics(topic)
        .keyStrategy(KeyStrategy.header())
        .recoverer(Recoverer.logAndMarkDead())
        .outbox(Outbox.builder(new StringSerializer(), new StringSerializer()).build())
        .batchHandler((records, tx) -> {
          BusinessTable.insert(tx.connection(), records, options.rowsPerRecord());
          for (var r : records) {
            Header sent = r.headers().lastHeader(Latencies.SENT_HEADER);
            tx.send(midTopic, r.key(), r.value(), sent == null ? List.of() : List.of(sent));
          }
        })
        .build();
    Map<String, Object> propsB = new java.util.HashMap<>(props);
    propsB.put(ConsumerConfig.GROUP_ID_CONFIG, props.get(ConsumerConfig.GROUP_ID_CONFIG) + "-b");
    DedupConsumer<String, String> b = DedupConsumer.builder(propsB, new StringDeserializer(),
            new StringDeserializer(), pool)
        .topics(midTopic)
        .keyStrategy(KeyStrategy.header()) // the outbox's derived idempotency-key
        .recoverer(Recoverer.logAndMarkDead())
        .config(Group.committedConfig(probe))
        .batchHandler((records, tx) -> {
          probe.batchStarting();
          BusinessTable.insert(tx.connection(), records, options.rowsPerRecord());
          probe.pending(records);
          probe.applied(records.size());
        })
        .build();
    if (startRelay) {
      OutboxRelay relay = OutboxRelay.builder(pool, IdempotentProducerConfig.builder()
          .bootstrapServers(TestKafka.get().bootstrapServers()).build()).name("e2e-chain-relay").build().start();
      closers.add(relay::close);
    }
    stoppers.add(a::close);
    stoppers.add(b::close);
    return () -> {
      Thread hopB = Thread.ofPlatform().name(Thread.currentThread().getName() + "-b").start(b::run);
      a.run();
      try {
        hopB.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /** The relay's producer settings: the idempotent preset, and the relay's 256 kB {@code batch.size}. */
  private static Map<String, Object> directProducerProps() {
    Map<String, Object> props = new java.util.HashMap<>(IdempotentProducerConfig.builder()
        .bootstrapServers(TestKafka.get().bootstrapServers()).build().toMap());
    props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
    props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return props;
  }
}

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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
        probe.applied(records.size());
      });
      closers.add(() -> producer.close(Duration.ofSeconds(5)));
    }
    DedupConsumer<String, String> consumer = builder.build();
    stoppers.add(consumer::close);
    return consumer::run;
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

package io.github.kafkadedup.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The separate-JVM broker survives SIGKILL and a restart with its data. */
class KafkaBrokerProcessIT {
  @Test
  void brokerKilledAndRestartedKeepsItsRecords() throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
      try (var admin = org.apache.kafka.clients.admin.Admin.create(
          Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("t", 1, (short) 1)))
            .all().get();
      }
      Map<String, Object> producerProps = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class, ProducerConfig.ACKS_CONFIG, "all");
      try (var producer = new KafkaProducer<String, String>(producerProps)) {
        for (int i = 0; i < 100; i++) {
          producer.send(new ProducerRecord<>("t", "k" + i, "v" + i)).get();
        }
      }

      broker.kill();
      broker.restart();

      Map<String, Object> consumerProps = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "g", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      List<String> values = new ArrayList<>();
      try (var consumer = new KafkaConsumer<String, String>(consumerProps)) {
        consumer.subscribe(List.of("t"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (values.size() < 100 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            values.add(r.value());
          }
        }
      }
      assertThat(values).hasSize(100).startsWith("v0").endsWith("v99");
    }
  }
}

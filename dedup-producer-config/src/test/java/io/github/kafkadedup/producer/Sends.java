package io.github.kafkadedup.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Test records sent all at once (several batches in flight), then every acknowledgement awaited. */
final class Sends {
  private Sends() {}

  /** Sends {@code k<i>}/{@code v<i>} to partition {@code i % partitions}; a lost batch fails here, by its send. */
  static void roundRobin(Producer<String, String> producer, String topic, int partitions, int records)
      throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i)));
    }
    for (Future<RecordMetadata> f : sent) {
      f.get(60, TimeUnit.SECONDS);
    }
  }
}

package io.github.kafkadedup.reliability;

import io.github.kafkadedup.testsupport.TestKafka;
import java.util.Map;

/** Topic creation for scenarios: a unique topic and its dead-letter topic {@code <topic>.DLT}. */
final class Topics {
  private Topics() {}

  /** Creates a unique topic from {@code hint} with {@code partitions}, and its one-partition DLT. */
  static String withDlt(TestKafka kafka, String hint, int partitions) {
    String topic = kafka.createTopic(hint, partitions);
    kafka.createTopic(topic + ".DLT", 1, Map.of());
    return topic;
  }
}

package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.testsupport.TestKafka;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Reports to the {@link RunProbe} how many records the outgoing topic of a send mode holds (the sum of its
 * partitions' end offsets: every record there was acknowledged by the broker), every 20 ms, until closed.
 */
final class DeliveryWatch implements AutoCloseable {
  private final Thread thread;
  private volatile boolean running = true;

  DeliveryWatch(TestKafka kafka, String topic, RunProbe probe) throws Exception {
    int partitions = kafka.admin().describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic)
        .partitions().size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    thread = Thread.ofPlatform().daemon().name("e2e-delivery-watch").start(() -> {
      while (running) {
        try {
          long total = kafka.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
              .mapToLong(info -> info.offset()).sum();
          probe.delivered(total);
          Thread.sleep(20); // the broker has no push notification for end offsets: polled
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          System.err.println("delivery watch: " + e); // transient; the run's timeout bounds it
        }
      }
    });
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(10_000);
  }
}

package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.PgFaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The Spring transaction's {@code COMMIT} reaches PostgreSQL, which commits, but the connection is cut
 * before the listener container hears it (a fault proxy between the Spring DataSource and the server):
 * the error handler's retry finds the keys claimed, so each record takes effect once, and the offsets
 * end where the records end.
 */
class CommitOutcomeUnknownSpringIT {
  private static final int RECORDS = 10;

  /** How many records {@code topic} (one partition) holds: its end offset, read from the broker. */
  private static long recordsIn(String topic, org.apache.kafka.clients.admin.Admin admin) throws Exception {
    TopicPartition tp = new TopicPartition(topic, 0);
    return admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(tp)
        .get(30, TimeUnit.SECONDS).offset();
  }

  private static void runWithLostCommit(String name, Class<?> app, String... properties) throws Exception {
    try (SpringFixture f = new SpringFixture(name);
        PgFaultProxy proxy = PgFaultProxy.inFrontOf(f.db.jdbcUrl(), PgFaultProxy.Options.defaults())) {
      f.via(proxy);
      f.start(app, properties);
      proxy.cutAfterCommit(1);
      List<String[]> input = new ArrayList<>();
      for (int i = 0; i < RECORDS; i++) {
        input.add(new String[] {"k" + i, "v" + i});
      }
      f.sendAll(input);
      await().atMost(Duration.ofSeconds(60)).until(() -> proxy.cuts() == 1);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == RECORDS);
      assertThat(f.count("SELECT count(*) FROM orders")).as("effect rows").isEqualTo(RECORDS);
      assertThat(f.count("SELECT count(DISTINCT kafka_offset) FROM orders")).isEqualTo(RECORDS);
      assertThat(f.count("SELECT count(*) FROM claims")).isEqualTo(RECORDS);
      assertThat(recordsIn(f.topic + "-dlt", f.kafka.admin())).as("nothing dead-lettered").isZero();
    }
  }

  @Test
  void recordListener() throws Exception {
    runWithLostCommit("spring-unknown-record", RecordListenerIT.RecordApp.class);
  }

  @Test
  void batchListener() throws Exception {
    runWithLostCommit("spring-unknown-batch", BatchListenerIT.BatchApp.class, "spring.kafka.listener.type=batch",
        "spring.kafka.listener.ack-mode=manual_immediate");
  }
}

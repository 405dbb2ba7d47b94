package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One poll batch at a time through {@link DedupProcessor}, records read from the real broker. */
class DedupProcessorIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("processor");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  /** Publishes (orderKey, idempotencyKey) pairs in order to a 1-partition topic and reads them back. */
  private static List<ConsumerRecord<String, String>> publishAndRead(String hint, String... pairs) {
    String topic = fx.kafka.createTopic(hint, 1);
    var producer = fx.producer();
    for (int i = 0; i < pairs.length; i += 2) {
      ProducerRecord<String, String> r = new ProducerRecord<>(topic, pairs[i], "v" + (i / 2));
      if (pairs[i + 1] != null) {
        r.headers().add(KeyStrategy.DEFAULT_HEADER, pairs[i + 1].getBytes(StandardCharsets.UTF_8));
      }
      producer.send(r);
    }
    producer.flush();
    return read(topic, pairs.length / 2);
  }

  static List<ConsumerRecord<String, String>> read(String topic, int n) {
    List<ConsumerRecord<String, String>> out = fx.kafka.readAll(topic, n);
    assertThat(out).hasSize(n);
    return out;
  }

  private static DedupProcessor.Builder<String, String> processor(String scope, CountingMetrics metrics,
      List<String> recovered) {
    return DedupProcessor.<String, String>builder(fx.db.dataSource())
        .config(DedupConfig.builder().scope(scope).metrics(metrics).backoff(Duration.ofMillis(5), Duration.ofMillis(50)).build())
        .keyStrategy(KeyStrategy.header())
        .recoverer((record, reason) -> recovered.add(record.value() + ":" + reason.kind()));
  }

  private long orders(String topic) {
    return fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'");
  }

  @Test
  void inBatchRepeatsHaveOneEffectAndTheFirstOccurrenceWins() {
    var records = publishAndRead("inbatch", "o1", "k1", "o2", "k2", "o1", "k1", "o3", "k1");
    var metrics = new CountingMetrics();
    BatchResult r = processor("inbatch", metrics, new ArrayList<>()).recordHandler(EngineFixture.insertOrder())
        .build().process(records);
    assertThat(r.processed()).isEqualTo(2);
    assertThat(r.resends()).isEqualTo(2);
    assertThat(r.offsets().values()).extracting(o -> o.offset()).containsExactly(4L);
    String topic = records.get(0).topic();
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND payload = 'v0'")).isEqualTo(1);
    assertThat(orders(topic)).isEqualTo(2);
  }

  @Test
  void redeliveryAfterACrashBeforeTheOffsetCommitIsSkipped() {
    var records = publishAndRead("redeliver", "o1", "r1", "o2", "r2", "o3", "r3");
    var metrics = new CountingMetrics();
    var processor = processor("redeliver", metrics, new ArrayList<>()).recordHandler(EngineFixture.insertOrder()).build();
    processor.process(records);
    // the consumer "crashed" before committing offsets: the same records come again
    BatchResult again = processor.process(read(records.get(0).topic(), 3));
    assertThat(again.processed()).isZero();
    assertThat(again.redeliveries()).isEqualTo(3);
    assertThat(orders(records.get(0).topic())).isEqualTo(3);
    assertThat(metrics.get("duplicates.REDELIVERY")).isEqualTo(3);
  }

  @Test
  void duplicatesAndFreshRecordsCommitTogetherWithoutAnySqlError() {
    // PostgreSQL aborts a transaction on a unique violation; ON CONFLICT DO NOTHING never raises one.
    var first = publishAndRead("aborted-trap", "o1", "a1", "o2", "a2");
    var metrics = new CountingMetrics();
    var processor = processor("trap", metrics, new ArrayList<>()).recordHandler(EngineFixture.insertOrder()).build();
    processor.process(first);
    long rollbacksBefore = fx.count("SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()");
    // the repeated keys at other offsets than their first claims: re-sends (a claim stores no topic, so the same
    // partition and offset in another topic would count as a redelivery)
    var mixed = publishAndRead("aborted-trap-2", "o3", "a3", "o1", "a1", "o4", "a4", "o2", "a2");
    BatchResult r = processor.process(mixed);
    assertThat(r.processed()).isEqualTo(2);
    assertThat(r.resends()).isEqualTo(2);
    assertThat(r.splitIntoRecords()).isFalse();
    assertThat(metrics.get("failure.batch") + metrics.get("failure.transient")).isZero();
    assertThat(orders(mixed.get(0).topic())).isEqualTo(2);
    assertThat(fx.count("SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"))
        .as("no transaction was rolled back").isEqualTo(rollbacksBefore);
  }

  @Test
  void aBatchOfOnlyDuplicatesNeverCallsTheBatchHandler() {
    var records = publishAndRead("alldups", "o1", "d1", "o2", "d2");
    AtomicInteger calls = new AtomicInteger();
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    var processor = processor("alldups", new CountingMetrics(), new ArrayList<>())
        .batchHandler((batch, tx) -> {
          calls.incrementAndGet();
          sizes.add(batch.size());
        }).build();
    processor.process(records);
    BatchResult again = processor.process(records);
    assertThat(again.duplicates()).isEqualTo(2);
    assertThat(calls).hasValue(1);
    assertThat(sizes).containsExactly(2);
  }

  @Test
  void observeModeCountsDuplicatesButStillCallsTheHandler() {
    var records = publishAndRead("observe", "o1", "x1", "o1", "x1");
    var metrics = new CountingMetrics();
    BatchResult r = processor("observe", metrics, new ArrayList<>())
        .config(DedupConfig.builder().scope("observe").mode(DedupConfig.Mode.OBSERVE).metrics(metrics).build())
        .recordHandler(EngineFixture.insertOrder()).build().process(records);
    assertThat(r.processed()).isEqualTo(2);
    assertThat(r.resends()).isEqualTo(1);
    assertThat(orders(records.get(0).topic())).isEqualTo(2);
    assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = 'observe'")).isEqualTo(1);
  }

  @Test
  void badKeysGoToTheRecovererAndTheRestIsApplied() {
    String topic = fx.kafka.createTopic("badkeys", 1);
    var producer = fx.bytesProducer();
    byte[][] headers = {
        null, // missing header
        "x".repeat(100 * 1024).getBytes(StandardCharsets.UTF_8), // 100 KB key
        {(byte) 0xC3, (byte) 0x28}, // not UTF-8
        "good".getBytes(StandardCharsets.UTF_8)};
    for (int i = 0; i < headers.length; i++) {
      var r = new ProducerRecord<byte[], byte[]>(topic, ("o" + i).getBytes(), ("v" + i).getBytes());
      if (headers[i] != null) {
        r.headers().add(KeyStrategy.DEFAULT_HEADER, headers[i]);
      }
      producer.send(r);
    }
    producer.flush();
    List<String> recovered = new ArrayList<>();
    BatchResult r = processor("badkeys", new CountingMetrics(), recovered).recordHandler(EngineFixture.insertOrder())
        .build().process(read(topic, 4));
    assertThat(recovered).containsExactly("v0:MISSING_KEY", "v1:KEY_TOO_LONG", "v2:INVALID_KEY");
    assertThat(r.processed()).isEqualTo(1);
    assertThat(r.deadLettered()).isEqualTo(3);
    assertThat(r.offsets().values()).extracting(o -> o.offset()).containsExactly(4L);
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND payload = 'v3'")).isEqualTo(1);
  }

  @Test
  void killedBackendMidBatchIsRetriedAndAppliedOnce() {
    var records = publishAndRead("terminate", "o1", "t1", "o2", "t2", "o3", "t3");
    var metrics = new CountingMetrics();
    AtomicBoolean killed = new AtomicBoolean();
    RecordHandler<String, String> insert = EngineFixture.insertOrder();
    BatchResult r = processor("terminate", metrics, new ArrayList<>()).recordHandler((record, tx) -> {
      insert.handle(record, tx);
      if (record.value().equals("v1") && killed.compareAndSet(false, true)) {
        long pid;
        try (Statement s = tx.connection().createStatement(); var rs = s.executeQuery("SELECT pg_backend_pid()")) {
          rs.next();
          pid = rs.getLong(1);
        }
        fx.db.execute("SELECT pg_terminate_backend(" + pid + ")");
      }
    }).build().process(records);
    assertThat(killed).isTrue();
    assertThat(metrics.get("failure.transient")).isGreaterThanOrEqualTo(1);
    assertThat(r.processed()).isEqualTo(3);
    assertThat(r.splitIntoRecords()).isFalse();
    assertThat(orders(records.get(0).topic())).isEqualTo(3);
    assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + records.get(0).topic() + "'"))
        .isEqualTo(3);
  }

  @Test
  void aReplayOfADeadLetteredKeyGoesToTheRecovererAgainByDefault() {
    var records = publishAndRead("dlreplay", "o1", "p1", "o2", "p2");
    List<String> recovered = new ArrayList<>();
    var processor = processor("dlreplay", new CountingMetrics(), recovered).recordHandler((record, tx) -> {
      if (record.value().equals("v0")) {
        throw new IllegalArgumentException("poison");
      }
    }).build();
    processor.process(records);
    assertThat(recovered).containsExactly("v0:HANDLER_FAILED");
    // p1 re-sent at offset 1 (its first claim is at offset 0), after a re-send of the processed p2
    var replay = publishAndRead("dlreplay-2", "o2", "p2", "o1", "p1");
    BatchResult r = processor.process(replay);
    assertThat(recovered).containsExactly("v0:HANDLER_FAILED", "v1:DEAD_LETTERED_BEFORE");
    assertThat(r.processed()).isZero();
  }
}

package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.RecordHandler;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.testsupport.TestKafka;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input mixed into a stream of good messages (with re-sends): null record keys, 1 MB record keys,
 * missing, empty, invalid-UTF-8, NUL-bearing and 1 MB idempotency keys, values that are not UTF-8 (the
 * handler decodes them from {@code byte[]}), a handler that always throws for some records and one that
 * throws a transient error only on the first attempt. Every good message exactly once, every bad record on the DLT exactly
 * once, the transient one applied (not dead-lettered), and the loop never stops.
 */
class BadInputScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static final int ONE_MB = 1_000_000;
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("bad_input");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  /** What was published: good ids, bad ids (as {@link Scenario#dltId} names them), re-sends. */
  private static final class Input {
    final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    final Set<String> good = new HashSet<>();
    final Set<String> bad = new HashSet<>();
    int resends;

    void good(String topic, String id, byte[] recordKey, String value) {
      records.add(record(topic, recordKey, id.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
      good.add(id);
    }

    /** A bad record; {@code dltId} is how it shows on the DLT ({@code offset:<n>} when it has no usable key). */
    void bad(String topic, byte[] header, byte[] value, String dltId) {
      records.add(record(topic, null, header, value));
      bad.add(dltId != null ? dltId : "offset:" + (records.size() - 1));
    }

    static ProducerRecord<byte[], byte[]> record(String topic, byte[] key, byte[] header, byte[] value) {
      ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, 0, key, value);
      if (header != null) {
        r.headers().add(KeyStrategy.DEFAULT_HEADER, header);
      }
      return r;
    }
  }

  @Test
  void badInputReachesTheDeadLetterTopicOnceAndGoodInputIsAppliedOnce() throws Exception {
    long seed = Sizes.seed(9001);
    Random random = new Random(seed);
    String topic = Topics.withDlt(kafka, "bad-input", 1);
    Input in = new Input();
    List<ProducerRecord<byte[], byte[]>> goodRecords = new ArrayList<>();
    int good = Sizes.pick(300, 3_000);
    for (int i = 0; i < good; i++) {
      String id = topic + "-g" + i;
      byte[] recordKey = switch (i % 3) {
        case 0 -> null; // null record key: the dedup key is the header, so nothing changes
        case 1 -> ("entity-" + i % 7).getBytes(StandardCharsets.UTF_8);
        default -> i % 100 == 2 ? filled(ONE_MB, (byte) 'k') : ("entity-" + i % 7).getBytes(StandardCharsets.UTF_8);
      };
      in.good(topic, id, recordKey, i % 50 == 5 ? "throw-once " + id : "v" + i);
      goodRecords.add(in.records.get(in.records.size() - 1));
      if (random.nextInt(10) == 0) { // a re-send of an earlier good message, at a new offset
        in.records.add(goodRecords.get(random.nextInt(goodRecords.size())));
        in.resends++;
      }
      if (i % 40 == 20) {
        int kind = (i / 40) % 7;
        byte[] ok = (topic + "-b" + i).getBytes(StandardCharsets.UTF_8);
        switch (kind) {
          case 0 -> in.bad(topic, null, "no header".getBytes(StandardCharsets.UTF_8), null);
          case 1 -> in.bad(topic, new byte[0], "empty header".getBytes(StandardCharsets.UTF_8), null);
          case 2 -> in.bad(topic, new byte[] {'k', (byte) 0xC3, (byte) 0x28}, "bad utf-8 key".getBytes(StandardCharsets.UTF_8), null);
          case 3 -> in.bad(topic, filled(ONE_MB, (byte) 'x'), "1 MB key".getBytes(StandardCharsets.UTF_8), null);
          case 4 -> in.bad(topic, ok, new byte[] {'v', (byte) 0xFF, (byte) 0xFE}, new String(ok, StandardCharsets.UTF_8));
          case 5 -> in.bad(topic, ok, "throw-always".getBytes(StandardCharsets.UTF_8), new String(ok, StandardCharsets.UTF_8));
          default -> {
            byte[] nul = (topic + "-nul\u0000" + i).getBytes(StandardCharsets.UTF_8); // PostgreSQL text cannot hold NUL
            in.bad(topic, nul, "nul key".getBytes(StandardCharsets.UTF_8), new String(nul, StandardCharsets.UTF_8));
          }
        }
      }
    }
    Scenario scenario = new Scenario("bad input", seed, db, kafka.bootstrapServers());
    Set<String> firstAttempts = ConcurrentHashMap.newKeySet();
    Set<String> transientThrown = ConcurrentHashMap.newKeySet();
    RecordHandler<String, byte[]> handler = (record, tx) -> {
      String id = EffectsHandler.idempotencyKey(record);
      String value = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(record.value())).toString(); // throws for bytes that are not UTF-8
      if (value.equals("throw-always")) {
        throw new IllegalStateException("handler refuses " + id);
      }
      if (value.startsWith("throw-once") && firstAttempts.add(id)) {
        // a transient failure (the engine retries SQLTransientException and SQLSTATE 08xxx/40001/...)
        transientThrown.add(id);
        throw new SQLTransientConnectionException("downstream timeout for " + id + " (first attempt only)");
      }
      EffectsHandler.insert(tx.connection(), id, value, "bad-input", record);
    };
    try (Producer<byte[], byte[]> producer = new KafkaProducer<>(Consumers.producerProps(kafka.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
        Producer<byte[], byte[]> dlt = new KafkaProducer<>(Consumers.producerProps(kafka.bootstrapServers()),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ProducerRecord<byte[], byte[]> r : in.records) {
        producer.send(r).get();
      }
      DedupConsumer<String, byte[]> consumer = DedupConsumer.builder(
              Consumers.consumerProps(kafka.bootstrapServers(), "g-" + topic), new StringDeserializer(),
              new ByteArrayDeserializer(), db.appPool(2))
          .topics(topic).config(db.config().build()).keyStrategy(KeyStrategy.header()).recordHandler(handler)
          .recoverer(Recoverer.deadLetterTopic(dlt, new StringSerializer(), new ByteArraySerializer())).build();
      Thread loop = Thread.ofPlatform().name("bad-input").start(consumer::run);
      try {
        Workload w = new Workload(topic, in.good.size() + in.bad.size(), in.resends, in.bad);
        scenario.verify(w, Duration.ofSeconds(Sizes.pick(120, 300)), true);
        assertThat(transientThrown).as("transient failures injected").isNotEmpty();
        assertThat(loop.isAlive()).as("the loop still runs").isTrue();
      } finally {
        consumer.close();
      }
    }
  }

  private static byte[] filled(int size, byte b) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, b);
    return bytes;
  }

  /**
   * Values the consumer's own deserializer cannot read (a poison pill for the Kafka client: {@code poll}
   * throws {@code RecordDeserializationException}). They must reach the dead-letter topic like any other
   * poison record, and the records around them must be applied once.
   */
  @Test
  void undeserializableValuesReachTheDeadLetterTopic() throws Exception {
    long seed = Sizes.seed(9002);
    Random random = new Random(seed);
    String topic = Topics.withDlt(kafka, "undeserializable", 1);
    int messages = Sizes.pick(200, 2_000);
    Set<String> poison = new HashSet<>();
    Scenario scenario = new Scenario("undeserializable values", seed, db, kafka.bootstrapServers());
    try (Producer<byte[], byte[]> producer = new KafkaProducer<>(Consumers.producerProps(kafka.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
        Producer<byte[], byte[]> dlt = new KafkaProducer<>(Consumers.producerProps(kafka.bootstrapServers()),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < messages; i++) {
        String id = topic + "-m" + i;
        boolean pill = i == 3 || random.nextInt(40) == 0;
        if (pill) {
          poison.add(id);
        }
        producer.send(Input.record(topic, null, id.getBytes(StandardCharsets.UTF_8),
            ((pill ? "!!" : "v") + i).getBytes(StandardCharsets.UTF_8))).get();
      }
      DedupConsumer<String, String> consumer = DedupConsumer.builder(
              Consumers.consumerProps(kafka.bootstrapServers(), "g-" + topic), new StringDeserializer(),
              new ThrowingDeserializer(), db.appPool(2))
          .topics(topic).config(db.config().build()).keyStrategy(KeyStrategy.header())
          .batchHandler(new EffectsHandler("undeserializable"))
          .recoverer(Recoverer.deadLetterTopic(dlt, new StringSerializer(), new StringSerializer())).build();
      Thread loop = Thread.ofPlatform().name("undeserializable").start(consumer::run);
      try {
        scenario.verify(new Workload(topic, messages, 0, poison), Duration.ofSeconds(Sizes.pick(60, 300)), true);
        assertThat(loop.isAlive()).as("the loop still runs").isTrue();
      } finally {
        consumer.close();
      }
    }
  }

  /** A value deserializer that throws for values starting with {@code !!}. */
  public static final class ThrowingDeserializer implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
      String s = new String(data, StandardCharsets.UTF_8);
      if (s.startsWith("!!")) {
        throw new IllegalArgumentException("not an order: " + s);
      }
      return s;
    }
  }
}

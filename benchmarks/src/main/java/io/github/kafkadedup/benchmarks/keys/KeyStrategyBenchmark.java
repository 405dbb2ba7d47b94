package io.github.kafkadedup.benchmarks.keys;

import io.github.kafkadedup.benchmarks.KeyMix;
import io.github.kafkadedup.benchmarks.Records;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.internal.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What deriving the keys of a 500-record poll batch and dropping in-batch repeats costs before the
 * database is touched ({@code Plan.of}), per record: run with {@code -prof gc} for the allocation. One
 * record in ten repeats an earlier key of the batch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KeyStrategyBenchmark {
  static final int BATCH = 500;

  /** The strategies measured. */
  public enum Strategy {
    /** {@link KeyStrategy#header()}: strict UTF-8 decoding of the idempotency-key header. */
    HEADER,
    /** {@link KeyStrategy#recordKeyUniquePerMessage()}. */
    RECORD_KEY,
    /** {@link KeyStrategy#value} with a field extractor over the JSON text. */
    VALUE_FIELD,
    /** {@link KeyStrategy#topicPartitionOffset()}. */
    TOPIC_PARTITION_OFFSET,
    /** The header, else topic-partition-offset (every record here has the header). */
    HEADER_OR_ELSE_OFFSET,
    /** The header, with keys longer than {@code maxKeyBytes} replaced by their SHA-256. */
    HEADER_HASHED;

    KeyStrategy<String, String> strategy() {
      return switch (this) {
        case HEADER, HEADER_HASHED -> KeyStrategy.header();
        case RECORD_KEY -> KeyStrategy.recordKeyUniquePerMessage();
        case VALUE_FIELD -> KeyStrategy.value(KeyStrategyBenchmark::orderIdAndSeq);
        case TOPIC_PARTITION_OFFSET -> KeyStrategy.topicPartitionOffset();
        case HEADER_OR_ELSE_OFFSET -> KeyStrategy.<String, String>header().orElse(KeyStrategy.topicPartitionOffset());
      };
    }
  }

  @Param
  Strategy strategy;

  private KeyStrategy<String, String> keys;
  private DedupConfig config;
  private List<ConsumerRecord<String, String>> batch;

  /** Builds one batch of records (10% in-batch repeats) and the strategy. */
  @Setup(Level.Trial)
  public void open() {
    keys = strategy.strategy();
    config = strategy == Strategy.HEADER_HASHED
        ? DedupConfig.builder().maxKeyBytes(16).oversizedKeys(DedupConfig.OversizedKeys.HASH).build()
        : DedupConfig.defaults();
    String[] dedupKeys = new KeyMix(List.of(), 0, 3).next(BATCH);
    SplittableRandom random = new SplittableRandom(5);
    batch = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      String key = i > 0 && random.nextInt(10) == 0 ? dedupKeys[random.nextInt(i)] : dedupKeys[i];
      // the offset decides the record key and value: a repeat is the same message re-sent
      batch.add(Records.record(key, i > 0 && key != dedupKeys[i] ? indexOf(dedupKeys, key) : i));
    }
  }

  private static int indexOf(String[] keys, String key) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].equals(key)) {
        return i;
      }
    }
    throw new IllegalStateException(key);
  }

  /**
   * {@code Plan.of} over the batch; the score is per record.
   *
   * @return the plan
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Plan<String, String> plan() {
    return Plan.of(batch, keys, config);
  }

  private static String orderIdAndSeq(String json) {
    int start = json.indexOf("\"orderId\":\"") + 11;
    int end = json.indexOf('"', start);
    int seq = json.indexOf("\"seq\":", end) + 6;
    return json.substring(start, end) + ":" + json.substring(seq, json.indexOf(',', seq));
  }
}

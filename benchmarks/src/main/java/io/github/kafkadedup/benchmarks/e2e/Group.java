package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BusinessTable;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.consumer.Sequencing;
import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.consumer.internal.PostgresClaimStore;
import io.github.kafkadedup.migrations.DedupSchema;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;

/** The consumer threads of one run, each running the {@link Mode}'s loop; closing stops and joins them. */
final class Group implements AutoCloseable {
  private final List<Thread> threads = new ArrayList<>();
  private final List<Runnable> stoppers = new ArrayList<>();
  private final List<Runnable> closers = new ArrayList<>();

  Group(Mode mode, E2eOptions options, Map<String, Object> consumerProps, String topic, DataSource pool,
      RunProbe probe) {
    this(mode, options, consumerProps, topic, pool, probe, null);
  }

  /** @param outTopic where the send modes send one record per consumed record (null for the others) */
  Group(Mode mode, E2eOptions options, Map<String, Object> consumerProps, String topic, DataSource pool,
      RunProbe probe, @Nullable String outTopic) {
    Map<String, Object> props = new HashMap<>(consumerProps);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, options.maxPollRecords());
    for (int i = 0; i < options.consumers(); i++) {
      String name = "e2e-" + mode.name().toLowerCase(Locale.ROOT) + "-" + i;
      Runnable body = switch (mode) {
        case BASELINE -> plain(props, topic, pool, probe, (c, batch) -> {
          BusinessTable.insert(c, batch, options.rowsPerRecord());
          c.commit();
        });
        case BASELINE_NATURAL -> plain(props, topic, pool, probe, (c, batch) -> {
          BusinessTable.insertNatural(c, batch, options.rowsPerRecord());
          c.commit();
        });
        case PER_RECORD -> {
          PostgresClaimStore store = new PostgresClaimStore(DedupSchema.DEFAULT); // caches the scope id
          String scope = String.valueOf(props.get(ConsumerConfig.GROUP_ID_CONFIG));
          yield plain(props, topic, pool, probe, (c, batch) -> perRecord(c, batch, options, scope, store));
        }
        case CLAIMS, CLAIMS_RECORD, CLAIMS_RECORD_TRACED, SEQUENCED, OFFSETS, OFFSETS_ONLY, NATURAL_KEY, REPLAY ->
            dedup(props, topic, pool, probe, options, mode);
        case OUTBOX, OUTBOX_TRACED, DIRECT_SEND -> Sends.consumer(mode, props, topic, pool, probe, options,
            Objects.requireNonNull(outTopic, "outTopic"), stoppers, closers);
        case OUTBOX_CHAIN -> Sends.chain(props, topic, pool, probe, options,
            Objects.requireNonNull(outTopic, "outTopic"), stoppers, closers, i == 0);
        case SPRING_ALO, SPRING_RECORD, SPRING_BATCH ->
            throw new IllegalArgumentException(mode + " runs in a SpringGroup");
      };
      threads.add(Thread.ofPlatform().name(name).start(body));
    }
  }

  private Runnable plain(Map<String, Object> props, String topic, DataSource pool, RunProbe probe,
      PlainLoop.Work work) {
    PlainLoop loop = new PlainLoop(props, topic, pool, work, probe);
    stoppers.add(loop::stop);
    return loop;
  }

  private Runnable dedup(Map<String, Object> props, String topic, DataSource pool, RunProbe probe,
      E2eOptions options, Mode mode) {
    DedupConsumer.Builder<String, String> builder = DedupConsumer.builder(props, new StringDeserializer(),
            new StringDeserializer(), pool)
        .topics(topic)
        .keyStrategy(mode == Mode.OFFSETS_ONLY || mode == Mode.NATURAL_KEY ? KeyStrategy.none() : KeyStrategy.header())
        .recoverer(Recoverer.logAndMarkDead())
        .offsetsInDatabase(mode == Mode.OFFSETS || mode == Mode.OFFSETS_ONLY || mode == Mode.NATURAL_KEY);
    if (mode == Mode.CLAIMS_RECORD || mode == Mode.CLAIMS_RECORD_TRACED) {
      builder.recordHandler((record, tx) -> {
        probe.batchStarting();
        BusinessTable.insert(tx.connection(), List.of(record), options.rowsPerRecord());
        probe.pending(List.of(record));
        probe.applied(1);
      });
    } else {
      builder.batchHandler((records, tx) -> {
        probe.batchStarting();
        if (mode == Mode.NATURAL_KEY) {
          BusinessTable.insertNatural(tx.connection(), records, options.rowsPerRecord());
        } else {
          BusinessTable.insert(tx.connection(), records, options.rowsPerRecord());
        }
        probe.pending(records);
        probe.applied(records.size());
      });
    }
    DedupConfig config = mode == Mode.REPLAY ? replayConfig(probe) : committedConfig(probe);
    builder.config(mode != Mode.CLAIMS_RECORD_TRACED ? config
        : config.toBuilder().observationRegistry(BenchTracing.registry()).build());
    if (mode == Mode.SEQUENCED) {
      builder.recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer()))
          .sequencing(Sequencing.byRecordKey());
    }
    DedupConsumer<String, String> consumer = builder.build();
    stoppers.add(consumer::close);
    return consumer::run;
  }

  /** The engine reports processed records after each commit: the moment their latency ends. */
  static DedupConfig committedConfig(RunProbe probe) {
    return DedupConfig.builder().metrics(new DedupMetrics() {
      @Override
      public void processed(String scope, int records) {
        probe.committed();
      }
    }).build();
  }

  /** A replay calls no handler: its batches and records are counted from the engine's metrics. */
  private static DedupConfig replayConfig(RunProbe probe) {
    return DedupConfig.builder().metrics(new DedupMetrics() {
      @Override
      public void batch(String scope, int records) {
        probe.batchStarting();
      }

      @Override
      public void duplicates(String scope, DuplicateCause cause, int count) {
        probe.applied(count);
      }
    }).build();
  }

  /**
   * One transaction per record: claim its key (the engine's claim statement, one key), insert its business
   * row if fresh, commit.
   */
  private static void perRecord(Connection c, List<ConsumerRecord<String, String>> batch, E2eOptions options,
      String scope, PostgresClaimStore store) throws SQLException {
    for (ConsumerRecord<String, String> r : batch) {
      String key = new String(r.headers().lastHeader(KeyStrategy.DEFAULT_HEADER).value(), StandardCharsets.UTF_8);
      if (!store.claim(c, scope, List.of(new Candidate<>(r, key))).isEmpty()) {
        BusinessTable.insert(c, List.of(r), options.rowsPerRecord());
      }
      c.commit();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stoppers.forEach(Runnable::run);
    for (Thread t : threads) {
      t.join(60_000);
    }
    closers.forEach(Runnable::run); // after the consumers: e.g. the relay, or the producer they send with
  }
}

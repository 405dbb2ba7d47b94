package io.github.kafkadedup.benchmarks.outbox;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.benchmarks.e2e.EndToEnd;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.testsupport.TestKafka;
import java.sql.Connection;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Relay throughput from a backlog: fills the outbox with {@code rows} rows (100-byte values, 64 lanes,
 * 10,000 keys, with an idempotency-key header as the writer stores it), then starts {@code relays} relays
 * and measures until the table is empty: every row published with {@code acks=all} and deleted.
 *
 * <p>Run: {@code ./mvnw -B -o -pl benchmarks -am package -DskipTests} then
 * {@code java -cp benchmarks/target/benchmarks.jar io.github.kafkadedup.benchmarks.outbox.RelayThroughput
 * [rows] [relays] [batchSize]} (defaults 1000000 1 1000).
 */
public final class RelayThroughput {
  private RelayThroughput() {}

  /**
   * Runs one measurement and prints the result.
   *
   * @param args rows, relays, batch size
   * @throws Exception if the infrastructure fails
   */
  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int relays = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    TestKafka kafka = TestKafka.get();
    String topic = kafka.createTopic("relay-bench", 8);
    try (BenchDatabase db = BenchDatabase.create("relay")) {
      long fill = System.nanoTime();
      for (int from = 0; from < rows; from += 100_000) {
        // headers: the writer's encoding of one idempotency-key header (count, name, value; 4-byte lengths)
        db.execute("INSERT INTO outbox (lane, topic, record_key, record_value, headers) SELECT i % 64, '" + topic
            + "', convert_to('order-' || (i % 10000), 'UTF8'), convert_to(repeat('x', 100), 'UTF8'), "
            + "'\\x00000001'::bytea || '\\x0000000f'::bytea || convert_to('idempotency-key', 'UTF8') "
            + "|| '\\x00000024'::bytea || convert_to(gen_random_uuid()::text, 'UTF8') "
            + "FROM generate_series(" + from + ", " + (Math.min(rows, from + 100_000) - 1) + ") i");
      }
      db.execute("VACUUM ANALYZE outbox");
      System.out.printf(Locale.ROOT, "filled %,d rows in %.1f s%n", rows, (System.nanoTime() - fill) / 1e9);
      DataSource pool = db.pool(relays + 1);
      IdempotentProducerConfig producer = IdempotentProducerConfig.builder()
          .bootstrapServers(kafka.bootstrapServers()).build(); // the relay's defaults: linger.ms 0, batch.size 256 kB
      OutboxRelay[] running = new OutboxRelay[relays];
      long wal0;
      long cpu0;
      try (Connection c = pool.getConnection()) {
        wal0 = BenchDatabase.walPosition(c);
        cpu0 = EndToEnd.PostgresCpu.nanos(c);
      }
      long start = System.nanoTime();
      for (int i = 0; i < relays; i++) {
        running[i] = OutboxRelay.builder(pool, producer).name("bench-" + i).batchSize(batchSize)
            .maxLanes((64 + relays - 1) / relays).rebalanceInterval(Duration.ofMillis(200)).build().start();
      }
      while (db.queryLong("SELECT count(*) FROM outbox") > 0) {
        Thread.sleep(200);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long wal1;
      long cpu1;
      try (Connection c = pool.getConnection()) {
        wal1 = BenchDatabase.walPosition(c);
        cpu1 = EndToEnd.PostgresCpu.nanos(c);
      }
      for (OutboxRelay relay : running) {
        relay.close();
      }
      System.out.printf(Locale.ROOT, "relay throughput: %,d rows in %.1f s = %,.0f rows/s (%d relay(s), batch %d)%n",
          rows, seconds, rows / seconds, relays, batchSize);
      System.out.printf(Locale.ROOT, "WAL %.0f bytes/row, PostgreSQL CPU %s us/row (server-wide, over the drain)%n",
          (double) (wal1 - wal0) / rows, cpu0 < 0 || cpu1 < 0 ? "n/a"
              : String.format(Locale.ROOT, "%.1f", (cpu1 - cpu0) / 1e3 / rows));
    }
    System.exit(0); // the in-process broker and embedded server keep non-daemon threads
  }
}

package io.github.kafkadedup.benchmarks.wal;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.benchmarks.BusinessTable;
import io.github.kafkadedup.benchmarks.Records;
import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The WAL harness of issue 13: what a claimed key costs in WAL, throughput and server CPU on a claim
 * table that already holds {@code --prefill} keys, over a run that spans checkpoints; then what retention
 * writes per expired key.
 *
 * <p>Per variant ({@link WalVariant}), on a database of its own: migrate, pre-fill ({@code INSERT ...
 * SELECT FROM generate_series}: the live keys plus {@code --expired} older ones), {@code VACUUM ANALYZE},
 * {@code CHECKPOINT}; then for {@code --seconds}, transactions of {@code --batch} claims plus as many
 * one-row business inserts. One line per variant:
 * {@code variant=<name> keys_per_s=<n> wal_bytes_per_key=<n> server_cpu_us_per_key=<n> ...}, then one
 * line per variant with a claim table: {@code retention=<name> expired_keys=<n> wal_bytes_per_expired_key=<n>}.
 * Lines starting with {@code #} describe the setup.
 *
 * <p>Options: see {@link WalOptions}; {@code --quick} is a smoke run of a few seconds.
 */
public final class ClaimWal {
  /** Rows per pre-fill statement. */
  static final long PREFILL_CHUNK = 1_000_000;

  private ClaimWal() {}

  /**
   * Runs the harness and prints its lines.
   *
   * @param args {@code --name value} options, or {@code --quick}
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    run(WalOptions.parse(args), System.out::println);
    System.exit(0); // the embedded server's threads would keep the JVM alive
  }

  /**
   * Runs the harness.
   *
   * @param o the settings
   * @param out receives each line as soon as it is known
   * @return every line
   * @throws Exception on failure
   */
  static List<String> run(WalOptions o, Consumer<String> out) throws Exception {
    List<String> lines = new ArrayList<>();
    Consumer<String> print = line -> {
      lines.add(line);
      out.accept(line);
    };
    List<String> retention = new ArrayList<>();
    try (WalServer server = WalServer.start(o)) {
      String info = server.createDatabase("info");
      try (Connection c = server.connect(info)) {
        print.accept("# server: " + server.describe() + "; " + settings(c));
        print.accept("# checkpoints: " + server.checkpointPolicy(c));
        print.accept("# server cpu: " + ServerCpu.of(c).describe().replaceAll(" \\d+", "")
            + " (/proc utime+stime; autovacuum workers not counted)");
      } finally {
        server.dropDatabase(info);
      }
      print.accept(String.format(Locale.ROOT, "# prefill=%d live keys + expired=%d older keys; %d claims + %d"
          + " one-row business inserts per transaction; %d s per variant; wal is server-wide;"
          + " no autovacuum on business_events", o.prefill(),
          o.expired(), o.batch(), o.batch(), o.seconds()));
      Double baselineWal = null;
      for (WalVariant v : o.variants()) {
        print.accept("# " + v.label + ": " + v.description);
        Measured m = measure(server, v, o);
        if (v == WalVariant.BASELINE) {
          baselineWal = m.walPerKey;
        }
        // the claim's own share: what the run wrote beyond the business row (needs the baseline run first)
        print.accept(baselineWal == null || v == WalVariant.BASELINE ? m.run : m.run + String.format(Locale.ROOT,
            " claim_wal_bytes_per_key=%.0f", m.walPerKey - baselineWal));
        if (m.retention != null) {
          retention.add(m.retention);
        }
      }
    }
    retention.forEach(print);
    return lines;
  }

  private record Measured(String run, double walPerKey, String retention) {}

  private static Measured measure(WalServer server, WalVariant v, WalOptions o) throws Exception {
    String db = server.createDatabase(v.label);
    try {
      WalStore store = WalStore.of(v);
      prepare(server, db, store, v, o);
      String run = timedRun(server, db, store, v, o);
      String retention = v.store == WalVariant.Store.NONE ? null : retention(server, db, store, v);
      double walPerKey = Double.parseDouble(run.replaceAll(".* wal_bytes_per_key=(\\S+) .*", "$1"));
      return new Measured(run, walPerKey, retention);
    } finally {
      server.dropDatabase(db);
    }
  }

  private static void prepare(WalServer server, String db, WalStore store, WalVariant v, WalOptions o)
      throws SQLException {
    try (Connection c = server.connect(db); Statement s = c.createStatement()) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(c.getMetaData().getURL());
      ds.setUser(c.getMetaData().getUserName());
      ds.setPassword(o.jdbcUrl() == null ? "" : o.password());
      if (v.store == WalVariant.Store.V1) {
        // version 2 makes processed_messages a read-only legacy generation: V1 is measured as it was
        DedupMigrations.configure(ds, DedupSchema.DEFAULT).target("1").load().migrate();
      } else {
        DedupMigrations.migrate(ds);
      }
      s.execute(BusinessTable.DDL);
      // the business table is the same in every variant: its autovacuum (all-visible bits, with data
      // checksums a full-page image each) would land in some runs and not others
      s.execute("ALTER TABLE business_events SET (autovacuum_enabled = off)");
      long t0 = System.nanoTime();
      store.prefill(c, v.store == WalVariant.Store.NONE ? 0 : o.prefill(), o.expired());
      for (String table : store.tables()) {
        s.execute("VACUUM ANALYZE " + table);
      }
      System.err.printf(Locale.ROOT, "%s: pre-filled in %.1f s%n", v.label, (System.nanoTime() - t0) / 1e9);
      s.execute("CHECKPOINT");
    }
  }

  private static String timedRun(WalServer server, String db, WalStore store, WalVariant v, WalOptions o)
      throws Exception {
    try (Connection c = server.connect(db)) {
      ServerCpu cpu = ServerCpu.of(c);
      Snapshot before = Snapshot.take(c, cpu);
      c.setAutoCommit(false);
      server.startCheckpoints(db);
      SplittableRandom random = new SplittableRandom(v.ordinal());
      Records records = new Records();
      long keys = 0;
      long t0 = System.nanoTime();
      long end = t0 + o.seconds() * 1_000_000_000L;
      while (System.nanoTime() < end) {
        String[] k = v.nextKeys(o.batch(), random);
        List<ConsumerRecord<String, String>> batch = records.batch(k);
        List<Candidate<String, String>> candidates = new ArrayList<>(k.length);
        for (int i = 0; i < k.length; i++) {
          candidates.add(new Candidate<>(batch.get(i), k[i]));
        }
        store.claim(c, candidates);
        BusinessTable.insert(c, batch, 1);
        c.commit();
        keys += batch.size();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      server.stopCheckpoints();
      c.setAutoCommit(true);
      Snapshot after = Snapshot.take(c, cpu);
      long cpuMicros = before.cpuMicros < 0 || after.cpuMicros < 0 ? -1 : after.cpuMicros - before.cpuMicros;
      return String.format(Locale.ROOT, "variant=%s keys_per_s=%.0f wal_bytes_per_key=%.0f"
          + " server_cpu_us_per_key=%.1f fpi_per_key=%.3f checkpoints=%d keys=%d seconds=%.1f prefill=%d",
          v.label, keys / seconds, (double) (after.wal - before.wal) / keys,
          cpuMicros < 0 ? -1.0 : (double) cpuMicros / keys, (double) (after.fpi - before.fpi) / keys,
          after.checkpoints - before.checkpoints, keys, seconds,
          v.store == WalVariant.Store.NONE ? 0 : o.prefill());
    }
  }

  private static String retention(WalServer server, String db, WalStore store, WalVariant v) throws SQLException {
    try (Connection c = server.connect(db); Statement s = c.createStatement()) {
      // retention runs long after the keys were written: every page it touches is new since a checkpoint
      s.execute("CHECKPOINT");
      long wal0 = BenchDatabase.walPosition(c);
      long t0 = System.nanoTime();
      long expired = store.expire(c);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long wal = BenchDatabase.walPosition(c) - wal0;
      return String.format(Locale.ROOT, "retention=%s expired_keys=%d wal_bytes_per_expired_key=%.1f"
          + " wal_bytes=%d seconds=%.1f method=\"%s\"", v.label, expired, expired == 0 ? 0.0 : (double) wal / expired,
          wal, seconds, store.retentionMethod());
    }
  }

  /** Server counters at one moment. */
  private record Snapshot(long wal, long fpi, long checkpoints, long cpuMicros) {
    static Snapshot take(Connection c, ServerCpu cpu) throws SQLException {
      long fpi;
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_stat_force_next_flush()");
        try (ResultSet rs = s.executeQuery("SELECT wal_fpi FROM pg_stat_wal")) {
          rs.next();
          fpi = rs.getLong(1);
        }
      }
      return new Snapshot(BenchDatabase.walPosition(c), fpi, WalServer.checkpoints(c), cpu.micros());
    }
  }

  private static String settings(Connection c) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, current_setting(name) FROM pg_settings WHERE name IN ('server_version',"
            + " 'shared_buffers', 'fsync', 'full_page_writes', 'synchronous_commit', 'wal_level', 'wal_compression',"
            + " 'checkpoint_timeout', 'max_wal_size', 'autovacuum') ORDER BY name")) {
      while (rs.next()) {
        out.append(out.isEmpty() ? "" : ", ").append(rs.getString(1)).append('=').append(rs.getString(2));
      }
    }
    return out.toString();
  }
}

package io.github.kafkadedup.benchmarks.lean;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.benchmarks.BusinessTable;
import io.github.kafkadedup.benchmarks.KeyMix;
import io.github.kafkadedup.benchmarks.Records;
import io.github.kafkadedup.benchmarks.Stats;
import io.github.kafkadedup.consumer.internal.Candidate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The lean-claim experiment: for each {@link Variant} of the claim table, fresh keys per second and WAL
 * bytes per key, claimed in batches, without and with a one-row business insert in the same
 * transaction; median of several runs, each on freshly created tables right after a {@code CHECKPOINT}.
 *
 * <p>Arguments (all optional): {@code --keys N} (default 50000) keys per run, {@code --batch N} (500),
 * {@code --runs N} (3). Prints markdown tables.
 */
public final class LeanClaimExperiment {
  private static final String SCOPE = "orders-service";

  private LeanClaimExperiment() {}

  /** One run's figures. */
  record Result(double keysPerSecond, double walBytesPerKey, double fpiPerKey) {}

  /**
   * Runs the experiment.
   *
   * @param args see the class comment
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int keys = intArg(args, "--keys", 50_000);
    int batch = intArg(args, "--batch", 500);
    int runs = intArg(args, "--runs", 3);
    System.out.println(report(keys, batch, runs));
    System.exit(0); // the embedded servers' threads would keep the JVM alive
  }

  /**
   * Measures every variant and formats the tables.
   *
   * @param keys keys per run
   * @param batch keys per transaction
   * @param runs runs per variant (the median is reported)
   * @return markdown
   * @throws SQLException on database failure
   */
  public static String report(int keys, int batch, int runs) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (BenchDatabase db = BenchDatabase.createV1("lean"); Connection c = db.connect()) {
      out.append("Server: ").append(BenchDatabase.describeServer(c)).append("\n");
      out.append(String.format(Locale.ROOT, "%,d fresh keys per run, %d per transaction, median of %d runs%n%n",
          keys, batch, runs));
      for (boolean business : new boolean[] {false, true}) {
        out.append(business ? "With a one-row business insert in the same transaction\n\n"
            : "Claim alone\n\n");
        out.append("| variant | table | keys/s | ratio | WAL bytes/key | FPI/key |\n"
            + "| --- | --- | ---: | ---: | ---: | ---: |\n");
        Result reference = null;
        for (Variant v : Variant.values()) {
          if (!business && v == Variant.NONE) {
            continue;
          }
          Result r = median(db, v, business, keys, batch, runs);
          if (reference == null) {
            reference = r; // NONE with the business row, PLAIN_ROWS without
          }
          out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %.0f | %.3f |%n", v.name(),
              v.description, r.keysPerSecond, r.keysPerSecond / reference.keysPerSecond, r.walBytesPerKey,
              r.fpiPerKey));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  private static Result median(BenchDatabase db, Variant v, boolean business, int keys, int batch, int runs)
      throws SQLException {
    double[] rate = new double[runs];
    double[] wal = new double[runs];
    double[] fpi = new double[runs];
    for (int i = 0; i < runs; i++) {
      Result r = once(db, v, business, keys, batch, 1000L * i + v.ordinal());
      rate[i] = r.keysPerSecond;
      wal[i] = r.walBytesPerKey;
      fpi[i] = r.fpiPerKey;
    }
    return new Result(Stats.median(rate), Stats.median(wal), Stats.median(fpi));
  }

  private static Result once(BenchDatabase db, Variant v, boolean business, int keys, int batch, long seed)
      throws SQLException {
    // a connection per run: the tables are recreated, and a server-side prepared statement of the same
    // SQL on an old connection would fail with "cached plan must not change result type"
    try (Connection c = db.connect()) {
      return once(db, c, v, business, keys, batch, seed);
    }
  }

  private static Result once(BenchDatabase db, Connection c, Variant v, boolean business, int keys, int batch,
      long seed) throws SQLException {
    db.execute("DROP TABLE IF EXISTS " + Variant.TABLE, "DROP TABLE IF EXISTS business_events",
        "TRUNCATE processed_messages", BusinessTable.DDL);
    for (String ddl : v.ddl()) {
      db.execute(ddl);
    }
    List<List<Candidate<String, String>>> batches = batches(keys, batch, seed);
    ClaimRunner runner = new ClaimRunner(v, SCOPE, business);
    db.execute("CHECKPOINT");
    long fpi0 = fpiCount(c);
    long wal0 = BenchDatabase.walPosition(c);
    c.commit();
    long t0 = System.nanoTime();
    for (List<Candidate<String, String>> b : batches) {
      runner.run(c, b);
    }
    long nanos = System.nanoTime() - t0;
    long walBytes = BenchDatabase.walPosition(c) - wal0;
    long fpis = fpiCount(c) - fpi0;
    c.commit();
    return new Result(keys * 1e9 / nanos, (double) walBytes / keys, (double) fpis / keys);
  }

  private static List<List<Candidate<String, String>>> batches(int keys, int batch, long seed) {
    KeyMix mix = new KeyMix(List.of(), 0, seed);
    Records records = new Records();
    List<List<Candidate<String, String>>> out = new ArrayList<>();
    for (int done = 0; done < keys; done += batch) {
      String[] k = mix.next(Math.min(batch, keys - done));
      List<Candidate<String, String>> candidates = new ArrayList<>(k.length);
      List<ConsumerRecord<String, String>> rs = records.batch(k);
      for (int i = 0; i < k.length; i++) {
        candidates.add(new Candidate<>(rs.get(i), k[i]));
      }
      out.add(candidates);
    }
    return out;
  }

  /** Full-page images written by the server so far (pg_stat_wal, after flushing this backend's stats). */
  private static long fpiCount(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_force_next_flush()");
      c.commit();
      try (ResultSet rs = s.executeQuery("SELECT wal_fpi FROM pg_stat_wal")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static int intArg(String[] args, String name, int defaultValue) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        int value = Integer.parseInt(args[i + 1]);
        if (value < 1) {
          throw new IllegalArgumentException(name + " must be at least 1, but was " + value);
        }
        return value;
      }
    }
    return defaultValue;
  }
}

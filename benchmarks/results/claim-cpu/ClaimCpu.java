// Server CPU per claimed key, statement by statement (issue 13): a single-file program, run with
//   benchmarks/results/claim-cpu/setup.sh   # database i13_cpu on the local PostgreSQL
//   java -cp ~/.m2/repository/org/postgresql/postgresql/42.7.14/postgresql-42.7.14.jar ClaimCpu.java \
//     -Dbatches=200 -Drounds=3 -Ddups=true -Donly=business,before,after -Dextra=sql/before,sql/after
// (system properties go before the file name). Each variant: TRUNCATE, then `batches` transactions of
// [advisory lock; claim statement] + a 500-row business insert + COMMIT on one connection, with 500 new
// random UUID keys per batch; the backend's CPU (utime+stime from /proc/<pid>/stat, 10 ms ticks) / keys.
// -Dreset="TRUNCATE claims_g2, business_events": what is emptied before each variant (default: all claims).
// -Dkeys=uuidv7: time-ordered keys (as the producer interceptor makes) instead of random v4 UUIDs.
// With -Ddups=true, a second pass claims the same keys again (100 % duplicates, no business row).
// Variant files: SQL with $1 key ids uuid[], $2 partitions int4[], $3 offsets int8[], $4 scope id, $5 status;
// a name starting with x skips the row-count check (statements that do not return every key).
import java.nio.file.*;
import java.sql.*;
import java.util.*;

public class ClaimCpu {
  static final String URL = System.getProperty("url", "jdbc:postgresql://127.0.0.1:5432/i13_cpu?user=postgres");
  static final int N = 500;
  static String LOCK = "SELECT pg_advisory_xact_lock_shared(hashtext('kafka-dedup'), hashtext('public.claims'))";
  static String BUS = "INSERT INTO business_events (order_id, line, amount_cents, payload) SELECT * FROM unnest(?::text[], ?::int4[], ?::int8[], ?::text[])";
  static String OLD = "WITH g AS (SELECT max(generation) AS cur FROM dedup_generations), input AS (SELECT * FROM unnest(?::uuid[], ?::int4[], ?::int8[]) AS u(k, p, o)), older AS MATERIALIZED (SELECT c.key_id, c.kafka_partition, c.kafka_offset, c.status, c.generation FROM input i JOIN claims c ON c.scope_id = ? AND c.key_id = i.k WHERE c.generation < (SELECT cur FROM g)), fresh AS (INSERT INTO claims (scope_id, generation, kafka_offset, key_id, kafka_partition, status) SELECT ?, g.cur, i.o, i.k, i.p, ?::\"char\" FROM input i, g WHERE NOT EXISTS (SELECT 1 FROM older WHERE older.key_id = i.k) ORDER BY i.k ON CONFLICT DO NOTHING RETURNING key_id) SELECT key_id, true AS fresh, NULL::int4, NULL::int8, NULL::\"char\", NULL::int4 FROM fresh UNION ALL SELECT key_id, false, kafka_partition, kafka_offset, status, generation FROM older UNION ALL SELECT c.key_id, false, c.kafka_partition, c.kafka_offset, c.status, c.generation FROM input i JOIN claims c ON c.scope_id = ? AND c.key_id = i.k AND c.generation = (SELECT cur FROM g) WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.key_id = i.k) AND NOT EXISTS (SELECT 1 FROM older o WHERE o.key_id = i.k)";
  static String LEAN = "INSERT INTO claims (scope_id, generation, kafka_offset, key_id, kafka_partition, status) SELECT ?, 1, i.o, i.k, i.p, ?::\"char\" FROM unnest(?::uuid[], ?::int4[], ?::int8[]) AS i(k, p, o) ORDER BY i.k ON CONFLICT DO NOTHING RETURNING key_id";

  interface Claim { void run(Connection c, UUID[] ids, int[] parts, long[] offs) throws SQLException; }

  static final boolean V7 = "uuidv7".equals(System.getProperty("keys"));
  static final java.util.concurrent.atomic.AtomicLong CLOCK = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis() << 12);
  /** A UUIDv7-like key: 48-bit milliseconds + a 12-bit counter in time order, then random bits (-Dkeys=uuidv7). */
  static UUID v7(long seq) {
    long t = CLOCK.incrementAndGet(); // (ms << 12 | counter): time-ordered
    long hi = ((t >>> 12) << 16) | 0x7000L | (t & 0xFFFL);
    long lo = (java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo);
  }
  static long pid; static long walwriter;
  static long ticks(long p) throws Exception {
    String s = Files.readString(Path.of("/proc/" + p + "/stat"));
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static void business(Connection c, long[] offs) throws SQLException {
    int n = offs.length; String[] o = new String[n]; int[] l = new int[n]; long[] a = new long[n]; String[] p = new String[n];
    for (int i = 0; i < n; i++) { o[i] = "order-" + (offs[i] % 100000); l[i] = 0; a[i] = offs[i] % 10000; p[i] = "{\"order\":\"order-" + offs[i] + "\",\"amount\":" + (offs[i] % 10000) + ",\"note\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"; }
    try (PreparedStatement ps = c.prepareStatement(BUS)) { ps.setObject(1, o); ps.setObject(2, l); ps.setObject(3, a); ps.setObject(4, p); ps.executeUpdate(); }
  }

  static int drain(PreparedStatement ps) throws SQLException {
    ps.execute(); if (!ps.getMoreResults()) throw new SQLException("no rs");
    int n = 0; try (ResultSet rs = ps.getResultSet()) { while (rs.next()) n++; } return n;
  }

  static Map<String, Claim> variants() {
    Map<String, Claim> m = new LinkedHashMap<>();
    m.put("business", (c, ids, p, o) -> {});
    m.put("old", (c, ids, p, o) -> { try (PreparedStatement ps = c.prepareStatement(LOCK + ";\n" + OLD)) {
      ps.setObject(1, ids); ps.setObject(2, p); ps.setObject(3, o); ps.setInt(4, 1); ps.setInt(5, 1); ps.setString(6, "P"); ps.setInt(7, 1);
      int rows = drain(ps); if (rows != ids.length) throw new SQLException("rows " + rows); } });
    m.put("lean", (c, ids, p, o) -> { try (PreparedStatement ps = c.prepareStatement(LOCK + ";\n" + LEAN)) {
      ps.setInt(1, 1); ps.setString(2, "P"); ps.setObject(3, ids); ps.setObject(4, p); ps.setObject(5, o); drain(ps); } });
    for (String f : System.getProperty("extra", "").split(",")) {
      if (f.isBlank()) continue;
      String raw; try { raw = Files.readString(Path.of(f)).trim(); } catch (java.io.IOException e) { throw new RuntimeException(e); }
      String name = Path.of(f).getFileName().toString();
      java.util.regex.Matcher mm = java.util.regex.Pattern.compile("[$](\\d)").matcher(raw);
      List<Integer> order = new ArrayList<>(); while (mm.find()) order.add(Integer.parseInt(mm.group(1)));
      String sql = raw.replaceAll("[$]\\d", "?");
      boolean nolock = name.contains("nolock");
      m.put(name, (c, ids, p, o) -> { try (PreparedStatement ps = c.prepareStatement(nolock ? sql : LOCK + ";\n" + sql)) {
        String[] sids = null;
        for (int j = 0; j < order.size(); j++) { int q = j + 1; switch (order.get(j)) {
          case 1 -> ps.setObject(q, ids); case 2 -> ps.setObject(q, p); case 3 -> ps.setObject(q, o); case 4 -> ps.setInt(q, 1); case 5 -> ps.setString(q, "P");
          case 6 -> { if (sids == null) { sids = new String[ids.length]; for (int x = 0; x < ids.length; x++) sids[x] = ids[x].toString(); } ps.setObject(q, sids); }
          case 7 -> { byte[] b = new byte[ids.length * 16]; java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b); for (UUID u : ids) { bb.putLong(u.getMostSignificantBits()); bb.putLong(u.getLeastSignificantBits()); } ps.setBytes(q, b); }
          case 8 -> { long[] hi = new long[ids.length]; for (int x = 0; x < ids.length; x++) hi[x] = ids[x].getMostSignificantBits(); ps.setObject(q, hi); }
          case 9 -> { long[] lo = new long[ids.length]; for (int x = 0; x < ids.length; x++) lo[x] = ids[x].getLeastSignificantBits(); ps.setObject(q, lo); }
          default -> throw new SQLException("param " + order.get(j)); } }
        int rows; if (nolock) { ps.execute(); rows = 0; ResultSet rs = ps.getResultSet(); if (rs != null) try (rs) { while (rs.next()) rows++; } } else rows = drain(ps);
        if (rows != ids.length && !name.startsWith("x")) throw new SQLException(name + " rows " + rows); } });
    }
    return m;
  }

  public static void main(String[] a) throws Exception {
    int batches = Integer.getInteger("batches", 200);
    int rounds = Integer.getInteger("rounds", 3);
    boolean dups = Boolean.getBoolean("dups");
    Map<String, Claim> vs = variants();
    List<String> only = List.of(System.getProperty("only", String.join(",", vs.keySet())).split(","));
    Map<String, List<Double>> cpu = new LinkedHashMap<>(); Map<String, List<Double>> dcpu = new LinkedHashMap<>();
    long seq = 0;
    try (Connection c = DriverManager.getConnection(URL)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) { rs.next(); pid = rs.getLong(1); }
      c.commit();
      Random r = new Random(1);
      for (int round = 0; round < rounds; round++) {
        for (String name : only) {
          Claim v = vs.get(name);
          try (Statement s = c.createStatement()) { s.execute(System.getProperty("reset", "TRUNCATE claims, business_events")); } c.commit();
          List<UUID[]> done = new ArrayList<>();
          long t0 = ticks(pid); long w0 = System.nanoTime();
          for (int b = 0; b < batches; b++) {
            UUID[] ids = new UUID[N]; int[] p = new int[N]; long[] o = new long[N];
            for (int i = 0; i < N; i++) { ids[i] = V7 ? v7(seq) : UUID.randomUUID(); p[i] = 3; o[i] = seq++; }
            v.run(c, ids, p, o); business(c, o); c.commit();
            if (dups) done.add(ids);
          }
          long t1 = ticks(pid);
          double us = (t1 - t0) * 10_000.0 / (batches * (double) N);
          cpu.computeIfAbsent(name, k -> new ArrayList<>()).add(us);
          String extra = "";
          if (dups) {
            long d0 = ticks(pid);
            for (UUID[] ids : done) { int[] p = new int[N]; long[] o = new long[N]; Arrays.fill(p, 3); for (int i = 0; i < N; i++) o[i] = seq++;
              v.run(c, ids, p, o); c.commit(); }
            double dus = (ticks(pid) - d0) * 10_000.0 / (batches * (double) N);
            dcpu.computeIfAbsent(name, k -> new ArrayList<>()).add(dus);
            extra = String.format(" dup-pass %.2f us/key (no business row)", dus);
          }
          System.out.printf("round %d %-12s %.2f us/key backend cpu, %.0f keys/s%s%n", round, name, us, batches * N / ((System.nanoTime() - w0) / 1e9), extra);
        }
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT left(statement, 60), generic_plans, custom_plans FROM pg_prepared_statements")) {
        while (rs.next()) System.out.println("  prepared: " + rs.getString(1) + " generic=" + rs.getLong(2) + " custom=" + rs.getLong(3));
      }
    }
    for (String k : cpu.keySet()) { List<Double> l = new ArrayList<>(cpu.get(k)); Collections.sort(l);
      System.out.printf("median %-12s %.2f us/key %s%s%n", k, l.get(l.size() / 2), cpu.get(k), dcpu.containsKey(k) ? " dup " + dcpu.get(k) : ""); }
  }
}

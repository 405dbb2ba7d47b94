package io.github.kafkadedup.examples.demo;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What the demo found in the database at the end, next to what it published. The verdict comes from the
 * tables alone: every order exactly once in {@code orders}, and every account's balance equal to the sum of
 * its unique orders.
 *
 * @param options the run's options
 * @param published records sent (orders plus re-sends)
 * @param consumed what the consumers reported (dedup mode: the engine's counts)
 * @param rows rows in {@code orders}
 * @param distinctOrders distinct order ids in {@code orders}
 * @param ordersAppliedMoreThanOnce order ids with more than one row
 * @param redeliveredRows extra rows from the same record applied again (same partition and offset)
 * @param resentRows extra rows from a re-sent record (same order at another offset)
 * @param claims rows in {@code claims}
 * @param expectedTotal the sum of the unique orders' amounts, in cents
 * @param balanceTotal the sum of all balances, in cents
 * @param accountsWrong accounts whose balance differs from the sum of their unique orders
 * @param caughtUp whether the consumers committed every record before the deadline
 * @param killedMidBatch consumers SIGKILLed at a crash point inside a batch
 * @param seconds wall time of the run
 */
record Report(DemoOptions options, int published, ConsumerGroup.Counts consumed, long rows, long distinctOrders,
    long ordersAppliedMoreThanOnce, long redeliveredRows, long resentRows, long claims, long expectedTotal,
    long balanceTotal, int accountsWrong, boolean caughtUp, int killedMidBatch, double seconds) {

  /** Every order applied exactly once: the demo's verdict. */
  boolean pass() {
    return caughtUp && rows == options.messages() && distinctOrders == options.messages() && accountsWrong == 0;
  }

  /** Extra rows in {@code orders}: effects applied more than once. */
  long duplicateRows() {
    return rows - distinctOrders;
  }

  static Report collect(DataSource dataSource, DemoOptions options, int published, ConsumerGroup.Counts consumed,
      Map<String, Long> expectedBalances, long expectedTotal, boolean caughtUp, int killedMidBatch, double seconds)
      throws SQLException {
    String schema = DemoSchema.NAME;
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      long rows = one(s, "SELECT count(*) FROM " + schema + ".orders");
      long distinct = one(s, "SELECT count(DISTINCT order_id) FROM " + schema + ".orders");
      long distinctRecords = one(s, "SELECT count(DISTINCT (kafka_partition, kafka_offset)) FROM " + schema + ".orders");
      long doubled = one(s, "SELECT count(*) FROM (SELECT order_id FROM " + schema
          + ".orders GROUP BY order_id HAVING count(*) > 1) d");
      long claims = one(s, "SELECT count(*) FROM " + DemoSchema.DEDUP.claims());
      Map<String, Long> balances = new HashMap<>();
      try (ResultSet rs = s.executeQuery("SELECT account_id, balance_cents FROM " + schema + ".account_balances")) {
        while (rs.next()) {
          balances.put(rs.getString(1), rs.getLong(2));
        }
      }
      int wrong = 0;
      for (Map.Entry<String, Long> e : expectedBalances.entrySet()) {
        if (!e.getValue().equals(balances.get(e.getKey()))) {
          wrong++;
        }
      }
      long total = balances.values().stream().mapToLong(Long::longValue).sum();
      return new Report(options, published, consumed, rows, distinct, doubled, rows - distinctRecords,
          distinctRecords - distinct, claims, expectedTotal, total, wrong, caughtUp, killedMidBatch, seconds);
    }
  }

  private static long one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  void print(PrintStream out) {
    out.println();
    out.println("kafka-dedup demo report (" + (options.dedup() ? "with kafka-dedup" : "--no-dedup: without kafka-dedup")
        + ")");
    row(out, "messages published", published, "%,d orders + %,d re-sends with the same idempotency key"
        .formatted(options.messages(), options.duplicates()));
    row(out, "unique orders", options.messages(), "");
    row(out, "SIGKILLs", options.kills(), killedMidBatch + " of them mid-batch, each consumer restarted");
    if (options.dedup()) {
      row(out, "duplicates dropped", consumed.redeliveries() + consumed.resends(), "by cause:");
      row(out, "  re-sends", consumed.resends(), "same key at a new offset (the application sent again)");
      row(out, "  redeliveries", consumed.redeliveries(), "same record again (crash or rebalance before the offset commit)");
      row(out, "keys claimed", claims, "rows in claims");
    } else {
      row(out, "duplicates dropped", 0, "nothing checks for them");
    }
    row(out, "rows in orders", rows, rows == options.messages() ? "one per order"
        : "%,d too many (%,d re-sent, %,d redelivered); %,d orders applied more than once"
            .formatted(duplicateRows(), resentRows, redeliveredRows, ordersAppliedMoreThanOnce));
    if (distinctOrders != options.messages()) {
      row(out, "orders missing", options.messages() - distinctOrders, "");
    }
    String balances = "%s total %s, sum of unique orders %s".formatted(
        accountsWrong == 0 ? "OK:" : "WRONG (" + accountsWrong + " accounts):", money(balanceTotal),
        money(expectedTotal));
    out.printf("  %-20s %s%n", "account balances", balances);
    out.printf("  %-20s %.1f s%n", "wall time", seconds);
    if (!caughtUp) {
      out.println("  the consumers did not commit every record in time; see examples/target/child-logs/");
    }
    out.println();
    if (pass()) {
      out.println("PASS: every order applied exactly once");
    } else if (!options.dedup()) {
      out.println("FAIL: orders applied more than once and balances wrong: this is what kafka-dedup prevents "
          + "(run ./demo without --no-dedup)");
    } else {
      out.println("FAIL: not every order was applied exactly once");
    }
  }

  private static void row(PrintStream out, String label, long value, String note) {
    out.printf("  %-20s %,10d  %s%n", label, value, note);
  }

  private static String money(long cents) {
    return "%,d.%02d".formatted(cents / 100, cents % 100);
  }
}

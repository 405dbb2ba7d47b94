package io.github.kafkadedup.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The business write of the benchmarks: {@code business_events}, a table with a {@code bigserial}
 * primary key, written with one multi-row insert per batch ({@code rowsPerRecord} rows per record, e.g.
 * an order and its lines).
 */
public final class BusinessTable {
  /** Creates the table. */
  public static final String DDL = "CREATE TABLE business_events (id bigserial PRIMARY KEY,"
      + " order_id text NOT NULL, line integer NOT NULL, amount_cents bigint NOT NULL, payload text NOT NULL,"
      + " created_at timestamptz NOT NULL DEFAULT now())";

  private static final String INSERT = "INSERT INTO business_events (order_id, line, amount_cents, payload)"
      + " SELECT * FROM unnest(?::text[], ?::int4[], ?::int8[], ?::text[])";

  private BusinessTable() {}

  /**
   * Inserts {@code rowsPerRecord} rows per record in one statement (nothing for an empty list).
   *
   * @param c the transaction's connection
   * @param records the records to apply
   * @param rowsPerRecord rows per record, at least 1
   * @return rows inserted
   * @throws SQLException on database failure
   */
  public static int insert(Connection c, List<? extends ConsumerRecord<String, String>> records,
      int rowsPerRecord) throws SQLException {
    if (records.isEmpty()) {
      return 0;
    }
    int n = records.size() * rowsPerRecord;
    String[] orders = new String[n];
    int[] lines = new int[n];
    long[] amounts = new long[n];
    String[] payloads = new String[n];
    int i = 0;
    for (ConsumerRecord<String, String> r : records) {
      for (int line = 0; line < rowsPerRecord; line++, i++) {
        orders[i] = r.key() == null ? "none" : r.key();
        lines[i] = line;
        amounts[i] = r.offset() % 10_000;
        payloads[i] = r.value() == null ? "" : r.value();
      }
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setObject(1, orders);
      ps.setObject(2, lines);
      ps.setObject(3, amounts);
      ps.setObject(4, payloads);
      return ps.executeUpdate();
    }
  }
}

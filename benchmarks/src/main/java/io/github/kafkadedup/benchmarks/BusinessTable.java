package io.github.kafkadedup.benchmarks;

import io.github.kafkadedup.consumer.KeyStrategy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
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

  /**
   * The business table of the natural-key fast path: the same columns, keyed by the order id (here the
   * record's {@code idempotency-key} header, a UUID as text: a unique id per order) and the line.
   */
  public static final String NATURAL_DDL = "CREATE TABLE natural_orders (order_id text NOT NULL,"
      + " line integer NOT NULL, amount_cents bigint NOT NULL, payload text NOT NULL,"
      + " created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (order_id, line))";

  private static final String INSERT_NATURAL = "INSERT INTO natural_orders (order_id, line, amount_cents, payload)"
      + " SELECT * FROM unnest(?::text[], ?::int4[], ?::int8[], ?::text[]) ON CONFLICT DO NOTHING";

  private BusinessTable() {}

  /**
   * The natural-key fast path's write: {@code rowsPerRecord} rows per record in one statement, keyed by the
   * record's {@code idempotency-key} header; rows whose key exists already are skipped
   * ({@code ON CONFLICT DO NOTHING}).
   *
   * @param c the transaction's connection
   * @param records the records to apply
   * @param rowsPerRecord rows per record, at least 1
   * @return rows inserted
   * @throws SQLException on database failure
   */
  public static int insertNatural(Connection c, List<? extends ConsumerRecord<String, String>> records,
      int rowsPerRecord) throws SQLException {
    return write(c, INSERT_NATURAL, records, rowsPerRecord, BusinessTable::naturalKey);
  }

  private static String naturalKey(ConsumerRecord<String, String> r) {
    var header = r.headers().lastHeader(KeyStrategy.DEFAULT_HEADER);
    return header == null ? "none" : new String(header.value(), StandardCharsets.UTF_8);
  }

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
    return write(c, INSERT, records, rowsPerRecord, r -> r.key() == null ? "none" : r.key());
  }

  private static int write(Connection c, String sql, List<? extends ConsumerRecord<String, String>> records,
      int rowsPerRecord, Function<ConsumerRecord<String, String>, String> orderId)
      throws SQLException {
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
        orders[i] = orderId.apply(r);
        lines[i] = line;
        amounts[i] = r.offset() % 10_000;
        payloads[i] = r.value() == null ? "" : r.value();
      }
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, orders);
      ps.setObject(2, lines);
      ps.setObject(3, amounts);
      ps.setObject(4, payloads);
      return ps.executeUpdate();
    }
  }
}

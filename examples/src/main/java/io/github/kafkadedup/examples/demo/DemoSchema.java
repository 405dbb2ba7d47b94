package io.github.kafkadedup.examples.demo;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The demo's tables, all in one schema of their own that every run drops and creates again (so the demo
 * can also run in a database you point it at without touching anything else there).
 */
final class DemoSchema {
  /** The schema of the demo's business tables and of kafka-dedup's tables. */
  static final String NAME = "kafka_dedup_demo";
  /** Where kafka-dedup's tables are, for {@code DedupConfig.schema}. */
  static final DedupSchema DEDUP = DedupSchema.of(NAME);

  private DemoSchema() {}

  /** Drops the demo schema if it exists, applies kafka-dedup's migrations into it, then the demo's tables. */
  static void recreate(DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + NAME + " CASCADE");
    }
    DedupMigrations.migrate(dataSource, DEDUP); // claims, dedup_scopes, dedup_generations, consumer_offsets (creates the schema)
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      // order_id is deliberately NOT unique: a duplicate effect shows up as a second row. A unique key on
      // order_id would turn a duplicate into a failing batch instead, and it could not protect the balance
      // update below anyway; the claim in the same transaction protects both.
      s.execute("""
          CREATE TABLE %s.orders (
            id              bigserial PRIMARY KEY,
            order_id        text   NOT NULL,
            account_id      text   NOT NULL,
            amount_cents    bigint NOT NULL,
            kafka_partition int    NOT NULL,
            kafka_offset    bigint NOT NULL
          )""".formatted(NAME));
      s.execute("""
          CREATE TABLE %s.account_balances (
            account_id    text PRIMARY KEY,
            balance_cents bigint NOT NULL
          )""".formatted(NAME));
    }
  }
}

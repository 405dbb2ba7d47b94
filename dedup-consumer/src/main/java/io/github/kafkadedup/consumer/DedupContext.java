package io.github.kafkadedup.consumer;

import java.sql.Connection;
import org.jooq.DSLContext;

/**
 * The database transaction a handler runs in: the claim of the record's key commits or rolls back with
 * whatever the handler writes here. Do not commit, roll back or close the connection.
 */
public interface DedupContext {
  /** @return the transaction's connection (autocommit off) */
  Connection connection();

  /** @return a jOOQ context (PostgreSQL dialect) on the same connection, created on first use */
  DSLContext dsl();

  /** @return the dedup scope of this consumer */
  String scope();
}

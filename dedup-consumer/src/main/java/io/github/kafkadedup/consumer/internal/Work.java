package io.github.kafkadedup.consumer.internal;

import java.sql.Connection;

/** Work on one transaction's connection. */
@FunctionalInterface
interface Work<T> {
  T apply(Connection connection) throws Exception;
}

package io.github.kafkadedup.consumer.internal;

import java.sql.Connection;
import java.util.List;

/** Work on one transaction's connection, given the records it still has to apply. */
@FunctionalInterface
interface Work<R, T> {
  T apply(Connection connection, List<R> unapplied) throws Exception;
}

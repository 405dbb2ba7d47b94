package io.github.kafkadedup.consumer.internal;

import java.sql.Connection;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The jOOQ {@link DSLContext} a handler gets from {@code DedupContext.dsl()}, without jOOQ's start-up
 * noise in the application's log: the banner, the "tip of the day", and the once-per-JVM "Version
 * mismatch" WARN on PostgreSQL older than the newest. jOOQ's open-source edition has a single PostgreSQL
 * dialect, which targets the newest server, so there is no older dialect to choose by version. The
 * warning is harmless for kafka-dedup itself: none of the library's own statements go through jOOQ (they
 * are plain JDBC); a handler's ordinary statements render the same SQL on PostgreSQL 13 and newer
 * (JooqQuietIT runs them on 15 and 18). Each switch is a documented jOOQ system property, set only when
 * the application has not set it, before this class first touches jOOQ.
 */
final class JooqContexts {
  /** jOOQ's per-logger threshold property for its server-version check in DefaultExecuteContext. */
  static final String VERSION_SUPPORT_LOG = "org.jooq.log.org.jooq.impl.DefaultExecuteContext.logVersionSupport";

  static {
    setIfAbsent("org.jooq.no-logo", "true");
    setIfAbsent("org.jooq.no-tips", "true");
    setIfAbsent(VERSION_SUPPORT_LOG, "ERROR");
  }

  private JooqContexts() {}

  /** A PostgreSQL {@link DSLContext} on the transaction's connection. */
  static DSLContext using(Connection connection) {
    return DSL.using(connection, SQLDialect.POSTGRES);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}

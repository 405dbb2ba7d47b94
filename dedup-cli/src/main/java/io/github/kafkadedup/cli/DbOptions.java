package io.github.kafkadedup.cli;

import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

/**
 * The connection options every subcommand shares. Unset options fall back to the environment
 * ({@code DEDUP_JDBC_URL}, {@code DEDUP_JDBC_USER}, {@code DEDUP_JDBC_PASSWORD}, {@code DEDUP_SCHEMA},
 * {@code DEDUP_TABLE_PREFIX}) through {@link EnvironmentDefaults}.
 */
final class DbOptions {
  private static final String URL_PREFIX = "jdbc:postgresql:";
  private static final int CONNECT_TIMEOUT_SECONDS = 10;

  @Option(names = "--jdbc-url", paramLabel = "URL",
      description = "PostgreSQL JDBC URL, e.g. jdbc:postgresql://db:5432/app (env DEDUP_JDBC_URL)")
  @Nullable String jdbcUrl;

  @Option(names = "--user", paramLabel = "ROLE", description = "database role (env DEDUP_JDBC_USER)")
  @Nullable String user;

  @Option(names = "--password", paramLabel = "SECRET", arity = "0..1", interactive = true,
      description = "password; without a value it is asked for (env DEDUP_JDBC_PASSWORD)")
  @Nullable String password;

  @Option(names = "--schema", paramLabel = "NAME", defaultValue = "public",
      description = "schema of kafka-dedup's tables (env DEDUP_SCHEMA; default ${DEFAULT-VALUE})")
  String schema = "public";

  @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "",
      description = "table prefix, as DedupSchema's (env DEDUP_TABLE_PREFIX; default none)")
  String prefix = "";

  /** The validated schema and prefix. */
  DedupSchema dedupSchema() {
    try {
      return DedupSchema.of(schema, prefix);
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage("--schema/--prefix: " + e.getMessage());
    }
  }

  /** The URL, checked to be a PostgreSQL JDBC URL. */
  String url() {
    if (jdbcUrl == null || jdbcUrl.isBlank()) {
      throw CliFailure.usage("no database given: set --jdbc-url (or DEDUP_JDBC_URL), "
          + "e.g. jdbc:postgresql://localhost:5432/app");
    }
    if (!jdbcUrl.startsWith(URL_PREFIX)) {
      throw CliFailure.usage("--jdbc-url must start with " + URL_PREFIX + "//host:port/database, but was '"
          + jdbcUrl + "'");
    }
    return jdbcUrl;
  }

  /** A data source for the library's classes (Flyway, RetentionJob), which open their own connections. */
  PGSimpleDataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url());
    if (user != null) {
      ds.setUser(user);
    }
    if (password != null) {
      ds.setPassword(password);
    }
    ds.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
    ds.setApplicationName("kafka-dedup-cli");
    return ds;
  }

  /** Opens an autocommit connection, or fails with a message that says what to check. */
  Connection connect() {
    String url = url();
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("ApplicationName", "kafka-dedup-cli");
    try {
      Connection c = DriverManager.getConnection(url, props);
      c.setAutoCommit(true);
      return c;
    } catch (SQLException e) {
      throw DbErrors.onConnect(e, url, user);
    }
  }
}

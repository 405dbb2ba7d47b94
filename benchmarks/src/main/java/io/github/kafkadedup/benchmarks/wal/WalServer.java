package io.github.kafkadedup.benchmarks.wal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The PostgreSQL the harness measures: one of its own (embedded, durable settings, a short
 * {@code checkpoint_timeout}), or an external server given by URL. Where the server's own checkpoints are
 * further apart than asked, the harness runs {@code CHECKPOINT} itself during the measured runs.
 */
final class WalServer implements AutoCloseable {
  /** PostgreSQL's smallest {@code checkpoint_timeout}. */
  private static final int MIN_CHECKPOINT_TIMEOUT = 30;

  private final EmbeddedPostgres embedded;
  private final Path dataDir;
  private final String adminUrl;
  private final String user;
  private final String password;
  private final int checkpointSeconds;
  private ScheduledExecutorService checkpointer;

  private WalServer(EmbeddedPostgres embedded, Path dataDir, String adminUrl, String user, String password,
      int checkpointSeconds) {
    this.embedded = embedded;
    this.dataDir = dataDir;
    this.adminUrl = adminUrl;
    this.user = user;
    this.password = password;
    this.checkpointSeconds = checkpointSeconds;
  }

  static WalServer start(WalOptions o) throws IOException {
    if (o.jdbcUrl() != null) {
      return new WalServer(null, null, o.jdbcUrl(), o.user(), o.password(), o.checkpointSeconds());
    }
    Path dir = Files.createTempDirectory("claim-wal-pg-");
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (!o.sharedBuffers().isEmpty()) {
      builder.setServerConfig("shared_buffers", o.sharedBuffers());
    }
    EmbeddedPostgres pg = builder.setDataDirectory(dir).setCleanDataDirectory(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        // durable, as a production server: the embedded default is synchronous_commit=off
        .setServerConfig("fsync", "on").setServerConfig("full_page_writes", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("checkpoint_timeout", Math.max(MIN_CHECKPOINT_TIMEOUT, o.checkpointSeconds()) + "s")
        // large enough that the measured runs see timed checkpoints, not ones forced by WAL volume
        .setServerConfig("max_wal_size", "8GB")
        .setServerConfig("log_min_messages", "fatal").start();
    return new WalServer(pg, dir, "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "",
        o.checkpointSeconds());
  }

  /** Creates a database (every session in it with {@code synchronous_commit=on}) and returns its name. */
  String createDatabase(String hint) throws SQLException {
    String name = "claim_wal_" + hint.replaceAll("[^a-z0-9]+", "_") + "_" + ProcessHandle.current().pid();
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + name);
      s.execute("ALTER DATABASE " + name + " SET synchronous_commit = on");
    }
    return name;
  }

  void dropDatabase(String name) throws SQLException {
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  /** A new connection to {@code database}, autocommit on. */
  Connection connect(String database) throws SQLException {
    URI uri = URI.create(adminUrl.substring("jdbc:".length()));
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return DriverManager.getConnection("jdbc:" + uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database
        + query, user, password);
  }

  private Connection admin() throws SQLException {
    return DriverManager.getConnection(adminUrl, user, password);
  }

  /** The server's {@code checkpoint_timeout} in seconds. */
  int checkpointTimeout(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT setting::int FROM pg_settings WHERE name = 'checkpoint_timeout'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** How checkpoints happen during the runs, for the report. */
  String checkpointPolicy(Connection c) throws SQLException {
    int timeout = checkpointTimeout(c);
    return timeout <= checkpointSeconds ? "checkpoint_timeout=" + timeout + "s"
        : "CHECKPOINT run by the harness every " + checkpointSeconds + " s (server checkpoint_timeout=" + timeout
            + "s)";
  }

  /** Starts running {@code CHECKPOINT} every {@code checkpointSeconds} if the server would not. */
  void startCheckpoints(String database) throws SQLException {
    try (Connection c = connect(database)) {
      if (checkpointTimeout(c) <= checkpointSeconds) {
        return;
      }
    }
    checkpointer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "claim-wal-checkpoints");
      t.setDaemon(true);
      return t;
    });
    checkpointer.scheduleAtFixedRate(() -> {
      try (Connection c = connect(database); Statement s = c.createStatement()) {
        s.execute("CHECKPOINT");
      } catch (SQLException e) {
        System.err.println("CHECKPOINT failed: " + e.getMessage());
      }
    }, checkpointSeconds, checkpointSeconds, TimeUnit.SECONDS);
  }

  void stopCheckpoints() throws InterruptedException {
    if (checkpointer != null) {
      checkpointer.shutdownNow();
      checkpointer.awaitTermination(60, TimeUnit.SECONDS);
      checkpointer = null;
    }
  }

  /** Checkpoints completed so far (timed and requested). */
  static long checkpoints(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      int version;
      try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
        rs.next();
        version = rs.getInt(1);
      }
      String sql = version >= 170000 ? "SELECT num_timed + num_requested FROM pg_stat_checkpointer"
          : "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter";
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Where the server runs. */
  String describe() {
    return embedded == null ? "external " + adminUrl : "embedded (zonky) " + adminUrl + ", data in " + dataDir;
  }

  @Override
  public void close() throws Exception {
    stopCheckpoints();
    if (embedded != null) {
      embedded.close();
      try (var paths = Files.walk(dataDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}

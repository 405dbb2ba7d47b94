package io.github.kafkadedup.benchmarks;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.PgFaultProxy;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A database of its own for one benchmark trial, with kafka-dedup's tables migrated, on the server that
 * {@link TestPostgres} selects: {@code DEDUP_TEST_JDBC_URL} (or the system property
 * {@code dedup.test.jdbc.url}) when set, else an embedded PostgreSQL. Every connection to it runs with
 * {@code synchronous_commit=on} (the embedded server's default is off). Closing it drops the database.
 */
public final class BenchDatabase implements AutoCloseable {
  private final TestDatabase db;

  private BenchDatabase(TestDatabase db) {
    this.db = db;
  }

  /**
   * Creates and migrates a new database.
   *
   * @param hint part of the database name
   * @return the database
   */
  public static BenchDatabase create(String hint) {
    BenchDatabase db = empty(hint);
    DedupMigrations.migrate(db.db.dataSource());
    return db;
  }

  /**
   * Creates a database migrated to schema version 1 only: V1's {@code processed_messages}, writable, as
   * before the V2 upgrade (see {@link V1Claims}).
   *
   * @param hint part of the database name
   * @return the database
   */
  public static BenchDatabase createV1(String hint) {
    BenchDatabase db = empty(hint);
    DedupMigrations.configure(db.db.dataSource(), DedupSchema.DEFAULT).target("1").load().migrate();
    return db;
  }

  private static BenchDatabase empty(String hint) {
    TestDatabase db = TestPostgres.get().createDatabase("bench_" + hint);
    // durable commits, as in production: the embedded server (zonky) defaults to synchronous_commit=off
    try (Connection c = TestPostgres.get().adminConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + db.name() + " SET synchronous_commit = on");
    } catch (SQLException e) {
      throw new IllegalStateException("could not configure benchmark database " + db.name() + ": "
          + e.getMessage(), e);
    }
    return new BenchDatabase(db);
  }

  /**
   * A new HikariCP pool on this database, closed with it.
   *
   * @param size the most connections
   * @return the pool
   */
  public DataSource pool(int size) {
    return db.newDataSource(size);
  }

  /** @return the JDBC URL of this database */
  public String jdbcUrl() {
    return db.jdbcUrl();
  }

  /** @return the user to connect as */
  public String user() {
    return db.user();
  }

  /** @return that user's password */
  public String password() {
    return db.password();
  }

  /**
   * A new HikariCP pool on this database whose connections go through {@code proxy}, closed with it.
   *
   * @param proxy e.g. a proxy that delays every message
   * @param size the most connections
   * @return the pool
   */
  public DataSource poolVia(PgFaultProxy proxy, int size) {
    return db.newDataSourceVia(proxy, size);
  }

  /**
   * A new unpooled connection with autocommit off; the caller closes it.
   *
   * @return the connection
   * @throws SQLException if the server cannot be reached
   */
  public Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    c.setAutoCommit(false);
    return c;
  }

  /**
   * Runs statements, each in autocommit.
   *
   * @param sql the statements
   */
  public void execute(String... sql) {
    db.execute(sql);
  }

  /**
   * The single {@code long} a query returns.
   *
   * @param sql the query
   * @return its value
   */
  public long queryLong(String sql) {
    return db.queryLong(sql);
  }

  /**
   * The server's current WAL insert position in bytes ({@code pg_current_wal_insert_lsn()}); the
   * difference of two readings is the WAL the whole server wrote in between (this database's work, plus
   * anything else running on the server).
   *
   * @param c a connection to use
   * @return the position
   * @throws SQLException on database failure
   */
  public static long walPosition(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The server's version and the settings that matter for write throughput, one line.
   *
   * @param c a connection to use
   * @return e.g. {@code PostgreSQL 18.1 (embedded ...); shared_buffers=128MB, ...}
   * @throws SQLException on database failure
   */
  public static String describeServer(Connection c) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Statement s = c.createStatement();
        // current_setting() gives the value with its unit (128MB), setting + unit would read "163848kB"
        ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), name, current_setting(name)"
            + " FROM pg_settings WHERE name IN ('shared_buffers', 'fsync',"
            + " 'wal_level', 'full_page_writes', 'max_wal_size', 'checkpoint_timeout', 'wal_compression',"
            + " 'wal_buffers', 'work_mem') ORDER BY name")) {
      while (rs.next()) {
        if (out.isEmpty()) {
          out.append("PostgreSQL ").append(rs.getString(1)).append(" (").append(TestPostgres.get().describe())
              .append("); ");
        } else {
          out.append(", ");
        }
        out.append(rs.getString(2)).append('=').append(rs.getString(3));
      }
    }
    return out.append(", synchronous_commit=on (set on every benchmark database)").toString();
  }

  /** Closes the pools and drops the database. */
  @Override
  public void close() {
    db.close();
    try (Connection c = TestPostgres.get().adminConnection(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + db.name() + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop benchmark database " + db.name() + ": " + e.getMessage(), e);
    }
  }
}

package io.github.kafkadedup.testsupport;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A database of its own for one test class, on the shared test PostgreSQL server. Closing it closes
 * the pools it handed out (the database itself is left for inspection; the server is thrown away with
 * the test JVM when embedded).
 */
public final class TestDatabase implements AutoCloseable {
  private final String name;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final List<HikariDataSource> pools = new ArrayList<>();
  private HikariDataSource dataSource;

  TestDatabase(String name, String jdbcUrl, String user, String password) {
    this.name = name;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  public String name() {
    return name;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** A shared pool (10 connections) as the database owner. */
  public synchronized DataSource dataSource() {
    if (dataSource == null) {
      dataSource = newDataSource(10);
    }
    return dataSource;
  }

  /** A new pool as the database owner; closed with this database. */
  public HikariDataSource newDataSource(int maxPoolSize) {
    return newDataSource(user, password, maxPoolSize);
  }

  /** A new pool as another role (least-privilege tests); closed with this database. */
  public HikariDataSource newDataSource(String role, String rolePassword, int maxPoolSize) {
    return newPool(jdbcUrl, role, rolePassword, maxPoolSize);
  }

  /** A new pool as the owner whose connections go through {@code proxy}; closed with this database. */
  public HikariDataSource newDataSourceVia(PgFaultProxy proxy, int maxPoolSize) {
    return newPool(proxy.jdbcUrl(jdbcUrl), user, password, maxPoolSize);
  }

  private synchronized HikariDataSource newPool(String url, String role, String rolePassword, int maxPoolSize) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("test-" + name + "-" + pools.size());
    config.setJdbcUrl(url);
    config.setUsername(role);
    config.setPassword(rolePassword);
    config.setMaximumPoolSize(maxPoolSize);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(10_000);
    HikariDataSource pool = new HikariDataSource(config);
    pools.add(pool);
    return pool;
  }

  /** Runs SQL statements as the owner, each in its own autocommit statement. */
  public void execute(String... sql) {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on test database " + name + ": " + e.getMessage(), e);
    }
  }

  /** The single {@code long} value of a query, e.g. {@code select count(*) from t}. */
  public long queryLong(String sql) {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        throw new IllegalStateException("no row from: " + sql);
      }
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on test database " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    pools.forEach(HikariDataSource::close);
    pools.clear();
    dataSource = null;
  }
}

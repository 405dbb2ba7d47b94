package io.github.kafkadedup.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fault proxy against the real PostgreSQL, driven by pgjdbc. */
class PgFaultProxyIT {
  static TestDatabase db;

  @BeforeAll
  static void setUp() {
    db = TestPostgres.get().createDatabase("fault_proxy");
    db.execute("CREATE TABLE t (v int NOT NULL)");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private static Connection connect(PgFaultProxy proxy, String params) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", db.password());
    String url = proxy.jdbcUrl(db.jdbcUrl());
    return DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + params, props);
  }

  private static long rows(int v) {
    return db.queryLong("SELECT count(*) FROM t WHERE v = " + v);
  }

  @Test
  void aCutCommitIsCommittedButTheClientSeesAnIoError() throws Exception {
    try (PgFaultProxy proxy = PgFaultProxy.inFrontOf(db.jdbcUrl(), PgFaultProxy.Options.defaults());
        Connection c = connect(proxy, "sslmode=prefer")) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO t VALUES (1)");
      }
      proxy.cutAfterCommit(1);
      assertThatThrownBy(c::commit).isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));
      assertThat(proxy.cuts()).isEqualTo(1);
      assertThat(proxy.armed()).isZero();
      assertThat(rows(1)).as("the server committed").isEqualTo(1);
    }
  }

  /** pgjdbc makes COMMIT a named server-side statement after prepareThreshold (5) uses: only Bind names it. */
  @Test
  void commitsAreRecognisedAsSimpleQueriesAndAsNamedPreparedStatements() throws Exception {
    String[] modes = {"preferQueryMode=simple", "prepareThreshold=1", "prepareThreshold=5"};
    for (int m = 0; m < modes.length; m++) {
      String params = modes[m];
      int v = 100 + m;
      try (PgFaultProxy proxy = PgFaultProxy.inFrontOf(db.jdbcUrl(), PgFaultProxy.Options.defaults());
          Connection c = connect(proxy, params)) {
        c.setAutoCommit(false);
        for (int i = 0; i < 8; i++) {
          try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO t VALUES (" + v + ")");
          }
          c.commit();
        }
        try (Statement s = c.createStatement()) {
          s.executeUpdate("INSERT INTO t VALUES (" + v + ")");
        }
        proxy.cutAfterCommit(1);
        assertThatThrownBy(c::commit).as(params).isInstanceOf(SQLException.class);
        assertThat(proxy.cuts()).as(params).isEqualTo(1);
        assertThat(rows(v)).as(params).isEqualTo(9);
      }
    }
  }

  @Test
  void anyChosenStatementCanBeCutAfterItsAnswerAndOnlyTheArmedNumberOfTimes() throws Exception {
    try (PgFaultProxy proxy = PgFaultProxy.inFrontOf(db.jdbcUrl(), PgFaultProxy.Options.defaults())) {
      proxy.cutAfterReplyTo(sql -> sql.contains("VALUES (2)"), 2);
      for (int attempt = 0; attempt < 2; attempt++) {
        try (Connection c = connect(proxy, ""); Statement s = c.createStatement()) {
          assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t VALUES (2)")).isInstanceOf(SQLException.class);
        }
      }
      try (Connection c = connect(proxy, ""); Statement s = c.createStatement()) {
        assertThat(s.executeUpdate("INSERT INTO t VALUES (2)")).isEqualTo(1);
        assertThat(s.executeUpdate("INSERT INTO t VALUES (3)")).as("other statements pass").isEqualTo(1);
      }
      assertThat(proxy.cuts()).isEqualTo(2);
      assertThat(rows(2)).as("autocommitted by the server each time").isEqualTo(3);
    }
  }

  @Test
  void cutAllBreaksEveryOpenConnectionAndNewOnesWork() throws Exception {
    try (PgFaultProxy proxy = PgFaultProxy.inFrontOf(db.jdbcUrl(), PgFaultProxy.Options.defaults());
        Connection a = connect(proxy, "");
        Connection b = connect(proxy, "")) {
      proxy.cutAll();
      for (Connection c : new Connection[] {a, b}) {
        try (Statement s = c.createStatement()) {
          assertThatThrownBy(() -> s.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        }
      }
      try (Connection c = connect(proxy, ""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 7")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(7);
      }
      assertThat(proxy.connectionsAccepted()).isEqualTo(3);
    }
  }

  @Test
  void theDelayIsAddedOncePerDirectionToEachRoundTrip() throws Exception {
    Duration delay = Duration.ofMillis(5);
    int queries = 20;
    try (PgFaultProxy proxy = PgFaultProxy.inFrontOf(db.jdbcUrl(), PgFaultProxy.Options.defaults().withDelay(delay));
        Connection c = connect(proxy, "")) {
      c.setAutoCommit(false);
      long start = System.nanoTime();
      for (int i = 0; i < queries; i++) {
        try (Statement s = c.createStatement()) {
          s.executeUpdate("INSERT INTO t VALUES (4)"); // Parse, Bind, Describe, Execute, Sync: one round trip
        }
      }
      c.commit();
      double perRoundTrip = (System.nanoTime() - start) / 1e6 / (queries + 1);
      assertThat(perRoundTrip).as("ms per round trip").isGreaterThanOrEqualTo(2 * delay.toMillis())
          .isLessThan(2 * delay.toMillis() + 40); // not once per pipelined message (that would be 5 x 2 x 5 ms)
      assertThat(rows(4)).isEqualTo(queries);
    }
  }

  @Test
  void startReturnsALocalPortThatReachesTheServer() throws Exception {
    java.net.URI uri = java.net.URI.create(db.jdbcUrl().substring("jdbc:".length()));
    int port = PgFaultProxy.start(uri.getHost(), uri.getPort(), PgFaultProxy.Options.defaults());
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db.name(),
        db.user(), db.password()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  @Test
  void optionsNameTheBadValue() {
    assertThatThrownBy(() -> PgFaultProxy.Options.defaults().withDelay(Duration.ofMillis(-1)))
        .hasMessage("delay must be >= 0, but was PT-0.001S");
  }
}

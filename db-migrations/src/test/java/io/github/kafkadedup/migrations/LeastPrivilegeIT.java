package io.github.kafkadedup.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the shipped {@code db/kafka-dedup-roles.sql} (as an admin), the migrations and
 * {@code db/kafka-dedup-grants.sql} (as the owner role) as documented, then checks that the runtime role can
 * claim keys and commit offsets but has no DDL rights. Roles are cluster-wide, so the script's role
 * names get a unique suffix; every statement is otherwise run as shipped.
 */
class LeastPrivilegeIT {
  private static final String SCHEMA = "kafka_dedup";
  private static final String SUFFIX = "_" + UUID.randomUUID().toString().substring(0, 8);
  private static final String OWNER = "kafka_dedup_owner" + SUFFIX;
  private static final String APP = "kafka_dedup_app" + SUFFIX;
  private static final String PASSWORD = UUID.randomUUID().toString();

  private static TestDatabase db;
  private static HikariDataSource owner;
  private static HikariDataSource app;

  @BeforeAll
  static void setUpRolesAsTheScriptSays() throws Exception {
    db = TestPostgres.get().createDatabase("least_privilege");
    db.execute(statements(script("kafka-dedup-roles.sql")).toArray(String[]::new));
    db.execute("ALTER ROLE " + OWNER + " PASSWORD '" + PASSWORD + "'",
        "ALTER ROLE " + APP + " PASSWORD '" + PASSWORD + "'");
    owner = pool(OWNER);
    app = pool(APP);
    assertThat(DbQueries.string(app, "select current_user")).isEqualTo(APP);

    assertThat(DedupMigrations.migrate(owner, SCHEMA).appliedVersions()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
    for (String statement : statements(script("kafka-dedup-grants.sql"))) {
      execute(owner, statement);
    }
  }

  /**
   * A pool logged in as {@code role}. Not {@code TestDatabase.newDataSource(role, ...)}: its JDBC URL
   * may carry {@code ?user=postgres} (the embedded server's URL does), which pgjdbc prefers over the
   * pool's user name, so every "role" connection would be the superuser.
   */
  private static HikariDataSource pool(String role) {
    HikariDataSource pool = new HikariDataSource();
    pool.setPoolName("least-privilege-" + role);
    pool.setJdbcUrl(withoutCredentials(db.jdbcUrl()));
    pool.setUsername(role);
    pool.setPassword(PASSWORD);
    pool.setMaximumPoolSize(2);
    return pool;
  }

  private static String withoutCredentials(String jdbcUrl) {
    int q = jdbcUrl.indexOf('?');
    if (q < 0) {
      return jdbcUrl;
    }
    String query = Arrays.stream(jdbcUrl.substring(q + 1).split("&"))
        .filter(p -> !p.startsWith("user=") && !p.startsWith("password="))
        .collect(Collectors.joining("&"));
    return jdbcUrl.substring(0, q) + (query.isEmpty() ? "" : "?" + query);
  }

  @AfterAll
  static void dropRoles() {
    if (owner != null) {
      owner.close();
    }
    if (app != null) {
      app.close();
    }
    if (db != null) {
      db.execute("DROP OWNED BY " + OWNER + ", " + APP, "DROP ROLE " + OWNER, "DROP ROLE " + APP);
      db.close();
    }
  }

  @Test
  void runtimeRoleClaimsKeysWithInsertOnConflictDoNothingReturning() throws SQLException {
    assertThat(claim("group-1", "a", "b", "c")).containsExactlyInAnyOrder(id("a"), id("b"), id("c"));
    assertThat(claim("group-1", "b", "c", "d")).containsExactly(id("d"));
  }

  @Test
  void runtimeRoleKeepsTheGenerationsThroughTheMaintenanceFunctionsOnly() throws SQLException {
    execute(app, "SELECT kafka_dedup.dedup_prepare_generations(2, 5000)");
    assertThat(db.queryLong("select count(*) from pg_class where relname = 'claims_g3'")).isEqualTo(1);
    assertDenied("DROP TABLE kafka_dedup.claims_g2");
    assertDenied("CREATE TABLE kafka_dedup.claims_g9 PARTITION OF kafka_dedup.claims FOR VALUES IN (9)");
    assertDenied("INSERT INTO kafka_dedup.dedup_generations VALUES (99, now())");
    assertDenied("UPDATE kafka_dedup.dedup_retention_settings SET minimum_window = interval '1 second'");
  }

  /**
   * Issue 22's repro: as the runtime role, prepare, switch and drop with a cutoff in the future erased every
   * live claim, and the re-sent record was claimed (applied) again. The functions now refuse what
   * RetentionJob would refuse, naming the owner's setting; the claims stay.
   */
  @Test
  void runtimeRoleCannotEraseLiveClaimsThroughTheMaintenanceFunctions() throws SQLException {
    String scope = "erase-" + UUID.randomUUID();
    assertThat(claim(scope, "order-1", "order-2")).hasSize(2);
    int current = (int) db.queryLong("select max(generation) from kafka_dedup.dedup_generations");
    execute(app, "SELECT kafka_dedup.dedup_prepare_generations(2, 5000)");
    assertRefused("SELECT kafka_dedup.dedup_switch_generation(1000)", "minimum_generation_length");
    // the owner still may (e.g. a test, or an operator who knows why)
    execute(owner, "SELECT kafka_dedup.dedup_switch_generation(1000)");
    assertRefused("SELECT kafka_dedup.dedup_drop_generation(" + current + ", now() + interval '1 day', 1000)",
        "minimum_window");
    assertThat(db.queryLong("select count(*) from kafka_dedup.claims c join kafka_dedup.dedup_scopes s"
        + " using (scope_id) where s.scope = '" + scope + "'")).isEqualTo(2);
  }

  @Test
  void dropIsRefusedWithinTheReplayHorizonEvenPastTheMinimumWindow() throws SQLException {
    int current = (int) db.queryLong("select max(generation) from kafka_dedup.dedup_generations");
    execute(owner, "SELECT kafka_dedup.dedup_prepare_generations(2, 5000)");
    execute(owner, "SELECT kafka_dedup.dedup_switch_generation(1000)");
    // the generation ended 2 days ago: past a 1-day minimum window, not past a 3-day replay horizon
    execute(owner, "UPDATE kafka_dedup.dedup_generations SET started_at = now() - interval '2 days'"
        + " WHERE generation = " + (current + 1));
    execute(owner, "UPDATE kafka_dedup.dedup_generations SET started_at = now() - interval '3 days'"
        + " WHERE generation <= " + current);
    try {
      execute(owner, "UPDATE kafka_dedup.dedup_retention_settings"
          + " SET minimum_window = interval '1 day', replay_horizon = interval '3 days'");
      assertRefused("SELECT kafka_dedup.dedup_drop_generation(" + current + ", now(), 1000)", "replay_horizon");
      execute(owner, "UPDATE kafka_dedup.dedup_retention_settings SET replay_horizon = interval '1 day'");
      assertThat(DbQueries.string(app, "select kafka_dedup.dedup_drop_generation(" + current + ", now(), 1000)"))
          .isEqualTo("t");
    } finally {
      execute(owner, "UPDATE kafka_dedup.dedup_retention_settings SET minimum_window = DEFAULT,"
          + " replay_horizon = DEFAULT");
    }
  }

  @Test
  void runtimeRoleUpsertsOffsetsAndDeletesExpiredClaims() throws SQLException {
    String upsert = "INSERT INTO kafka_dedup.consumer_offsets (scope, topic, kafka_partition, next_offset)"
        + " VALUES ('group-2', 'orders', 0, %d) ON CONFLICT (scope, topic, kafka_partition)"
        + " DO UPDATE SET next_offset = excluded.next_offset, updated_at = now()";
    execute(app, upsert.formatted(10));
    execute(app, upsert.formatted(20));
    assertThat(execute(app, "DELETE FROM kafka_dedup.processed_messages"
        + " WHERE processed_at < now() - interval '7 days'")).isZero();
    assertThat(db.queryLong("select next_offset from kafka_dedup.consumer_offsets"
        + " where scope = 'group-2'")).isEqualTo(20);
  }

  @Test
  void runtimeRoleWritesAndDeletesOutboxRows() throws SQLException {
    // an identity column needs no right on its sequence: INSERT on the table is enough
    execute(app, "INSERT INTO kafka_dedup.outbox (lane, topic, record_value) VALUES (3, 'payments', '\\x01')");
    assertThat(execute(app, "DELETE FROM kafka_dedup.outbox WHERE lane = 3")).isEqualTo(1);
  }

  @Test
  void runtimeRoleUpsertsAndForgetsHeartbeats() throws SQLException {
    execute(app, "INSERT INTO kafka_dedup.dedup_heartbeats (scope, instance, host, started_at, seen_at)"
        + " VALUES ('group-4', 'h/1#1', 'h', now(), now()) ON CONFLICT (scope, instance) DO UPDATE SET seen_at = now()");
    assertThat(execute(app, "UPDATE kafka_dedup.dedup_heartbeats SET records = 3 WHERE scope = 'group-4'")).isEqualTo(1);
    assertThat(execute(app, "DELETE FROM kafka_dedup.dedup_heartbeats WHERE scope = 'group-4'")).isEqualTo(1);
  }

  @Test
  void runtimeRoleStoresDeadLettersAndTheRelayMarksThem() throws SQLException {
    execute(app, "INSERT INTO kafka_dedup.dead_letters (reason, scope, source_topic, source_partition, source_offset)"
        + " VALUES ('handler_failed', 'group-3', 'orders', 0, 7)");
    assertThat(execute(app, "UPDATE kafka_dedup.dead_letters SET state = 'published' WHERE scope = 'group-3'"))
        .isEqualTo(1);
    assertDenied("DELETE FROM kafka_dedup.dead_letters");
    assertDenied("INSERT INTO kafka_dedup.dedup_audit (action, reason) VALUES ('dead-letter-discard', 'x')");
  }

  @Test
  void runtimeRoleCannotCreateOrChangeTables() throws SQLException {
    assertDenied("CREATE TABLE kafka_dedup.not_allowed (i int)");
    assertDenied("DROP TABLE kafka_dedup.processed_messages");
    assertDenied("DROP TABLE kafka_dedup.claims");
    assertDenied("TRUNCATE kafka_dedup.claims");
    assertDenied("ALTER TABLE kafka_dedup.processed_messages ADD COLUMN extra int");
    assertDenied("TRUNCATE kafka_dedup.processed_messages");
    assertDenied("CREATE INDEX not_allowed ON kafka_dedup.processed_messages (topic)");
    assertDenied("SELECT count(*) FROM kafka_dedup.kafka_dedup_schema_history");
    assertDenied("CREATE SCHEMA not_allowed");
    if (db.queryLong("select current_setting('server_version_num')::int") >= 150000) {
      // PostgreSQL 13 and 14 grant CREATE on schema public to everyone; the script says so
      assertDenied("CREATE TABLE public.not_allowed (i int)");
    }
    assertThat(db.queryLong("select count(*) from pg_class where relname = 'not_allowed'")).isZero();
  }

  @Test
  void ownerRoleKeepsTheDdlRights() throws SQLException {
    // the counterpart of the denials above: the same statement works for the owner
    execute(owner, "CREATE TABLE kafka_dedup.owner_may (i int)");
    execute(owner, "DROP TABLE kafka_dedup.owner_may");
  }

  private static UUID id(String key) {
    return DedupKeys.id(key);
  }

  /** Registers the scope, then claims the keys in the current generation, as the runtime role. */
  private static List<UUID> claim(String scope, String... keys) throws SQLException {
    String register = "INSERT INTO kafka_dedup.dedup_scopes (scope) VALUES (?) ON CONFLICT DO NOTHING";
    String sql = "INSERT INTO kafka_dedup.claims (scope_id, generation, kafka_offset, key_id, kafka_partition)"
        + " SELECT s.scope_id, (SELECT max(generation) FROM kafka_dedup.dedup_generations), 0,"
        + " kafka_dedup.dedup_key_id(k), 0 FROM unnest(?::text[]) AS k, kafka_dedup.dedup_scopes s WHERE s.scope = ?"
        + " ON CONFLICT DO NOTHING RETURNING key_id";
    try (Connection c = app.getConnection(); PreparedStatement reg = c.prepareStatement(register);
        PreparedStatement ps = c.prepareStatement(sql)) {
      reg.setString(1, scope);
      reg.executeUpdate();
      ps.setArray(1, c.createArrayOf("text", keys));
      ps.setString(2, scope);
      List<UUID> fresh = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh.add(rs.getObject(1, UUID.class));
        }
      }
      return fresh;
    }
  }

  private static void assertRefused(String sql, String setting) {
    assertThatThrownBy(() -> execute(app, sql))
        .as(sql)
        .isInstanceOfSatisfying(SQLException.class,
            e -> assertThat(e.getMessage()).as("SQLSTATE %s", e.getSQLState()).contains(setting)
                .contains("dedup_retention_settings"));
  }

  private static void assertDenied(String sql) {
    assertThatThrownBy(() -> execute(app, sql))
        .as(sql)
        .isInstanceOfSatisfying(SQLException.class,
            e -> assertThat(e.getSQLState()).as("SQLSTATE of %s: %s", sql, e.getMessage())
                .isEqualTo("42501"));
  }

  private static int execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
      return s.getUpdateCount();
    }
  }

  private static String script(String name) throws IOException {
    try (InputStream in = DedupMigrations.class.getResourceAsStream("/db/" + name)) {
      assertThat(in).as("db/%s on the classpath", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("kafka_dedup_owner", OWNER)
          .replace("kafka_dedup_app", APP);
    }
  }

  /** The script's statements: comment lines dropped, split at semicolons (none sit in literals). */
  private static List<String> statements(String script) {
    String code = script.lines().filter(line -> !line.strip().startsWith("--"))
        .reduce("", (a, b) -> a + "\n" + b);
    return Arrays.stream(code.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}

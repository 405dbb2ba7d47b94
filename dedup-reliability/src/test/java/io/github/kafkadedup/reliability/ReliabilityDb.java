package io.github.kafkadedup.reliability;

import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * A test class's database, set up the way {@code docs/database-setup.md} tells users to: the shipped
 * {@code db/kafka-dedup-roles.sql} run as an administrator, the migrations run as the owner role, the
 * shipped {@code db/kafka-dedup-grants.sql} run as the owner. The consumers of every scenario connect as
 * the runtime role ({@link #appPool}), which has no DDL rights. Roles are cluster-wide, so their names get
 * a unique suffix; the scripts are otherwise run as shipped.
 *
 * <p>The business table {@code shop.effects} has no unique constraint on purpose: a message applied twice
 * shows as a second row. The runtime role may only insert into it and read it.
 */
final class ReliabilityDb implements AutoCloseable {
  static final String SCHEMA = "kafka_dedup";
  static final String EFFECTS = "shop.effects";

  final TestDatabase db;
  final String owner;
  final String app;
  private final String password = UUID.randomUUID().toString();
  private final HikariDataSource ownerPool;

  private ReliabilityDb(String hint) {
    String suffix = "_" + UUID.randomUUID().toString().substring(0, 8);
    this.owner = "kafka_dedup_owner" + suffix;
    this.app = "kafka_dedup_app" + suffix;
    this.db = TestPostgres.get().createDatabase(hint);
    db.execute(statements(script("kafka-dedup-roles.sql")).toArray(String[]::new));
    db.execute("ALTER ROLE " + owner + " PASSWORD '" + password + "'",
        "ALTER ROLE " + app + " PASSWORD '" + password + "'",
        "CREATE SCHEMA shop AUTHORIZATION " + owner);
    ownerPool = db.newDataSource(owner, password, 2);
    DedupMigrations.migrate(ownerPool, SCHEMA);
    List<String> ownerWork = new ArrayList<>(statements(script("kafka-dedup-grants.sql")));
    ownerWork.add("CREATE TABLE " + EFFECTS + " (message_key text NOT NULL, payload text, applied_by text NOT NULL, "
        + "topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL, "
        + "applied_at timestamptz NOT NULL DEFAULT clock_timestamp())");
    ownerWork.add("CREATE INDEX effects_topic_key ON " + EFFECTS + " (topic, message_key)");
    ownerWork.add("GRANT USAGE ON SCHEMA shop TO " + app);
    ownerWork.add("GRANT SELECT, INSERT ON " + EFFECTS + " TO " + app);
    runAs(ownerPool, ownerWork);
  }

  /** A new database with the roles, the migrated tables and the business table. */
  static ReliabilityDb create(String hint) {
    return new ReliabilityDb(hint);
  }

  /** Where the library's tables are. */
  DedupSchema schema() {
    return DedupSchema.of(SCHEMA);
  }

  /** Engine settings pointing at {@link #schema()}, with short backoffs for tests. */
  DedupConfig.Builder config() {
    return DedupConfig.builder().schema(schema())
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1)).maxAttempts(5);
  }

  /** A new pool logged in as the runtime role (no DDL rights); closed with this database. */
  HikariDataSource appPool(int size) {
    return db.newDataSource(app, password, size);
  }

  /** The runtime role's password (for child JVMs). */
  String password() {
    return password;
  }

  /** A count or other single number, read as the administrator. */
  long count(String sql) {
    return db.queryLong(sql);
  }

  /** {@code pg_terminate_backend} of every connection the runtime role holds to this database. */
  long terminateAppConnections() {
    return db.queryLong("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
        + "WHERE usename = '" + app + "' AND datname = '" + db.name() + "'");
  }

  /** Connections the runtime role holds to this database now. */
  long appConnections() {
    return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + app + "' AND datname = '"
        + db.name() + "'");
  }

  @Override
  public void close() {
    db.close(); // closes every pool it handed out, the runtime role's included
    try {
      db.execute("DROP OWNED BY " + owner + ", " + app, "DROP ROLE " + owner, "DROP ROLE " + app);
    } finally {
      db.close();
    }
  }

  private static void runAs(HikariDataSource pool, List<String> sql) {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("setting up the reliability database failed: " + e.getMessage(), e);
    }
  }

  private String script(String name) {
    try (InputStream in = DedupMigrations.class.getResourceAsStream("/db/" + name)) {
      if (in == null) {
        throw new IllegalStateException("db/" + name + " is not on the class path (db-migrations jar)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("kafka_dedup_owner", owner).replace("kafka_dedup_app", app);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A shipped script's statements: comment lines dropped, split at semicolons (none sit in literals). */
  private static List<String> statements(String script) {
    String code = String.join("\n", script.lines().filter(line -> !line.strip().startsWith("--")).toList());
    return Arrays.stream(code.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}

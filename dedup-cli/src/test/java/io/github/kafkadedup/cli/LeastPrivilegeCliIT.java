package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The roles of {@code db/kafka-dedup-roles.sql} and {@code db/kafka-dedup-grants.sql} (as LeastPrivilegeIT
 * sets them up, names suffixed): the runtime role may read (status, lookup, retention plan), forget needs the
 * owner, and a role without a right is told which GRANT it lacks.
 */
class LeastPrivilegeCliIT {
  private static final String SCHEMA = "kafka_dedup";
  private static final String SUFFIX = "_" + UUID.randomUUID().toString().substring(0, 8);
  private static final String OWNER = "kafka_dedup_owner" + SUFFIX;
  private static final String APP = "kafka_dedup_app" + SUFFIX;
  private static final String READER = "kafka_dedup_reader" + SUFFIX;
  private static final String PASSWORD = UUID.randomUUID().toString();

  private static TestDatabase db;

  @BeforeAll
  static void rolesMigrationsAndGrantsAsDocumented() throws IOException {
    db = TestPostgres.get().createDatabase("cli_roles");
    db.execute(statements(script("kafka-dedup-roles.sql")).toArray(String[]::new));
    db.execute("ALTER ROLE " + OWNER + " PASSWORD '" + PASSWORD + "'", "ALTER ROLE " + APP + " PASSWORD '"
        + PASSWORD + "'", "CREATE ROLE " + READER + " LOGIN PASSWORD '" + PASSWORD + "'");
    CliRun migrate = CliRun.run(env(OWNER), "migrate", "--schema", SCHEMA);
    assertThat(migrate.code()).as("%s", migrate).isZero();
    db.execute(statements(script("kafka-dedup-grants.sql")).stream()
        .map(s -> "SET ROLE " + OWNER + "; " + s + "; RESET ROLE").toArray(String[]::new));
    db.execute("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + READER,
        "GRANT SELECT ON ALL TABLES IN SCHEMA " + SCHEMA + " TO " + READER);
    ConsumerRecord<String, String> r = new ConsumerRecord<>("invoices", 1, 42, "k", "v");
    r.headers().add(KeyStrategy.DEFAULT_HEADER, "inv-1".getBytes(StandardCharsets.UTF_8));
    DedupProcessor.<String, String>builder(dataSource(APP))
        .config(DedupConfig.builder().scope("invoicing").schema(DedupSchema.of(SCHEMA)).build())
        .keyStrategy(KeyStrategy.header()).recordHandler((record, tx) -> { }).recoverer((record, reason) -> { })
        .build().process(List.of(r));
  }

  @AfterAll
  static void dropRoles() {
    if (db != null) {
      db.execute("DROP OWNED BY " + OWNER + ", " + APP + ", " + READER, "DROP ROLE " + OWNER, "DROP ROLE " + APP,
          "DROP ROLE " + READER);
      db.close();
    }
  }

  @Test
  void theRuntimeRoleReadsStatusAndLookupAndPlan() {
    CliRun lookup = CliRun.run(env(APP), "lookup", "--schema", SCHEMA, "--scope", "invoicing", "--key", "inv-1");
    assertThat(lookup.code()).as("%s", lookup).isZero();
    assertThat(lookup.out()).contains("first seen   partition 1@42");
    CliRun status = CliRun.run(env(APP), "status", "--schema", SCHEMA);
    assertThat(status.code()).as("%s", status).isZero();
    assertThat(status.out()).contains("role " + APP + ", schema version 8")
        .contains("note: schema version inferred from the tables: role " + APP + " may not read "
            + SCHEMA + ".kafka_dedup_schema_history");
    CliRun plan = CliRun.run(env(APP), "retention", "plan", "--schema", SCHEMA, "--window", "7d");
    assertThat(plan.code()).as("%s", plan).isZero();
  }

  @Test
  void forgetNeedsTheOwnerAndNamesTheGrant() {
    CliRun denied = CliRun.run(env(APP), "forget", "--schema", SCHEMA, "--scope", "invoicing", "--key", "inv-1",
        "--reason", "test");
    assertThat(denied.code()).as("%s", denied).isEqualTo(3);
    assertThat(denied.err()).contains("forget needs DELETE on kafka_dedup.claims, which role " + APP
        + " does not have. Run it as the owner role").contains("GRANT DELETE ON kafka_dedup.claims TO " + APP + ";");
    CliRun owner = CliRun.run(env(OWNER), "forget", "--schema", SCHEMA, "--scope", "invoicing", "--key", "inv-1",
        "--reason", "test", "--dry-run");
    assertThat(owner.code()).as("%s", owner).isZero();
  }

  @Test
  void deadLettersListAndShowWorkWithTheRuntimeRoleReplayAndDiscardNeedTheOwnerAndNameTheGrant() {
    CliRun list = CliRun.run(env(APP), "dead-letters", "list", "--schema", SCHEMA);
    assertThat(list.code()).as("%s", list).isZero();
    assertThat(list.out()).isEqualTo("no dead letters match\n");
    assertThat(CliRun.run(env(APP), "dead-letters", "show", "--schema", SCHEMA, "1").code()).isEqualTo(1);
    CliRun replay = CliRun.run(env(APP), "dead-letters", "replay", "--schema", SCHEMA, "1", "--reason", "test");
    assertThat(replay.code()).as("%s", replay).isEqualTo(3);
    assertThat(replay.err()).contains("dead-letters replay needs DELETE on kafka_dedup.claims, which role " + APP
        + " does not have. Run it as the owner role").contains("GRANT DELETE ON kafka_dedup.claims TO " + APP + ";");
    CliRun discard = CliRun.run(env(APP), "dead-letters", "discard", "--schema", SCHEMA, "1", "--reason", "test",
        "--dry-run");
    assertThat(discard.code()).as("%s", discard).isEqualTo(3);
    assertThat(discard.err()).contains("dead-letters discard needs INSERT on kafka_dedup.dedup_audit")
        .contains("GRANT INSERT ON kafka_dedup.dedup_audit TO " + APP + ";");
    CliRun reader = CliRun.run(env(READER), "dead-letters", "replay", "--schema", SCHEMA, "1", "--reason", "test");
    assertThat(reader.err()).contains("dead-letters replay needs UPDATE on kafka_dedup.dead_letters");
    CliRun owner = CliRun.run(env(OWNER), "dead-letters", "replay", "--schema", SCHEMA, "1", "--reason", "test",
        "--dry-run");
    assertThat(owner.code()).as("the owner passes the rights check; there is no dead letter 1: %s", owner)
        .isEqualTo(1);
    assertThat(owner.out()).startsWith("NOT FOUND  1: no dead letter with id 1");
  }

  @Test
  void retentionRunNeedsTheMaintenanceFunctionsAndNamesTheGrant() {
    CliRun denied = CliRun.run(env(READER), "retention", "run", "--schema", SCHEMA, "--window", "7d");
    assertThat(denied.code()).as("%s", denied).isEqualTo(3);
    assertThat(denied.err()).contains("retention run needs EXECUTE on kafka_dedup.dedup_prepare_generations(integer,"
        + " integer), kafka_dedup.dedup_switch_generation(integer)")
        .contains("GRANT EXECUTE ON FUNCTION kafka_dedup.dedup_prepare_generations(integer, integer)");
    CliRun owner = CliRun.run(env(OWNER), "retention", "run", "--schema", SCHEMA, "--window", "7d",
        "--no-replay-guard");
    assertThat(owner.code()).as("%s", owner).isZero();
  }

  private static Map<String, String> env(String role) {
    return CliRun.env(withoutCredentials(db.jdbcUrl()), role, PASSWORD);
  }

  private static PGSimpleDataSource dataSource(String role) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(withoutCredentials(db.jdbcUrl()));
    ds.setUser(role);
    ds.setPassword(PASSWORD);
    return ds;
  }

  /** The embedded server's URL may carry ?user=postgres, which pgjdbc prefers over the given user. */
  private static String withoutCredentials(String jdbcUrl) {
    int q = jdbcUrl.indexOf('?');
    if (q < 0) {
      return jdbcUrl;
    }
    String query = Arrays.stream(jdbcUrl.substring(q + 1).split("&"))
        .filter(p -> !p.startsWith("user=") && !p.startsWith("password=")).collect(Collectors.joining("&"));
    return jdbcUrl.substring(0, q) + (query.isEmpty() ? "" : "?" + query);
  }

  private static String script(String name) throws IOException {
    try (InputStream in = DedupMigrations.class.getResourceAsStream("/db/" + name)) {
      assertThat(in).as("db/%s on the classpath", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("kafka_dedup_owner", OWNER)
          .replace("kafka_dedup_app", APP);
    }
  }

  private static List<String> statements(String script) {
    String code = script.lines().filter(line -> !line.strip().startsWith("--")).collect(Collectors.joining("\n"));
    return Arrays.stream(code.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}

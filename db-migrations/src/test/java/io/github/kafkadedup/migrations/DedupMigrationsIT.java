package io.github.kafkadedup.migrations;

import static io.github.kafkadedup.migrations.jooq.Tables.CLAIMS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The migrations against a real PostgreSQL: each test gets an empty database of its own. */
class DedupMigrationsIT {
  private TestDatabase db;

  @BeforeEach
  void createDatabase() {
    db = TestPostgres.get().createDatabase("migrations");
  }

  @AfterEach
  void closeDatabase() {
    db.close();
  }

  @Test
  void migratesAnEmptyDatabaseIntoPublic() {
    MigrationResult result = DedupMigrations.migrate(db.dataSource());

    assertThat(result).isEqualTo(new MigrationResult(DedupSchema.DEFAULT, List.of("1", "2", "3", "4", "5", "6", "7", "8"), "8"));
    assertThat(tableNames("public")).containsExactlyInAnyOrder("claims", "claims_g1", "claims_g2", "dedup_scopes", "dedup_generations",
        "processed_messages", "consumer_offsets", "outbox", "dedup_audit", "dead_letters", "dedup_retention_settings", "outbox_topics_set_aside", "dedup_heartbeats", "parked_sequences", "kafka_dedup_schema_history");
    assertThat(DbQueries.string(db, "select array_to_string(reloptions, ',') from pg_class "
        + "where oid = 'public.processed_messages'::regclass")).isEqualTo("fillfactor=100");
    assertThat(DbQueries.string(db, "select array_to_string(reloptions, ',') from pg_class "
        + "where oid = 'public.outbox'::regclass"))
        .isEqualTo("autovacuum_vacuum_scale_factor=0,autovacuum_vacuum_threshold=10000");
    assertThat(DbQueries.string(db, "select array_to_string(reloptions, ',') from pg_class "
        + "where oid = 'public.consumer_offsets'::regclass")).isEqualTo("fillfactor=70");
    assertThat(DbQueries.string(db, "select am.amname from pg_class i join pg_am am on am.oid = i.relam "
        + "where i.oid = 'public.processed_messages_at_brin'::regclass")).isEqualTo("brin");
    assertThat(DbQueries.string(db, "select obj_description('public.processed_messages'::regclass)"))
        .startsWith("kafka-dedup: one row per claimed dedup key");
  }

  @Test
  void migratingAgainIsANoOp() {
    DedupMigrations.migrate(db.dataSource());
    long historyRows = db.queryLong("select count(*) from public.kafka_dedup_schema_history");

    MigrationResult again = DedupMigrations.migrate(db.dataSource());

    assertThat(again.appliedVersions()).isEmpty();
    assertThat(again.currentVersion()).isEqualTo("8");
    assertThat(db.queryLong("select count(*) from public.kafka_dedup_schema_history"))
        .isEqualTo(historyRows);
  }

  @Test
  void migratesIntoACustomSchemaItCreates() {
    MigrationResult result = DedupMigrations.migrate(db.dataSource(), "billing");

    assertThat(result).isEqualTo(new MigrationResult(DedupSchema.of("billing"), List.of("1", "2", "3", "4", "5", "6", "7", "8"), "8"));
    assertThat(tableNames("billing")).containsExactlyInAnyOrder("claims", "claims_g1", "claims_g2", "dedup_scopes", "dedup_generations",
        "processed_messages", "consumer_offsets", "outbox", "dedup_audit", "dead_letters", "dedup_retention_settings", "outbox_topics_set_aside", "dedup_heartbeats", "parked_sequences", "kafka_dedup_schema_history");
    assertThat(tableNames("public")).isEmpty();
  }

  @Test
  void schemasAndPrefixesSideBySideAreIndependent() throws SQLException {
    DedupSchema tenantA = DedupSchema.of("tenant_a");
    DedupSchema tenantB = DedupSchema.of("tenant_b", "kd_");
    DedupSchema tenantB2 = DedupSchema.of("tenant_b", "kd2_");

    for (DedupSchema schema : List.of(tenantA, tenantB, tenantB2)) {
      assertThat(DedupMigrations.migrate(db.dataSource(), schema).appliedVersions())
          .as("%s", schema).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
    }

    assertThat(tableNames("tenant_b")).containsExactlyInAnyOrder("kd_claims", "kd_claims_g1", "kd_claims_g2",
        "kd_dedup_scopes", "kd_dedup_generations", "kd2_claims", "kd2_claims_g1", "kd2_claims_g2",
        "kd2_dedup_scopes", "kd2_dedup_generations",
        "kd_processed_messages", "kd_consumer_offsets", "kd_outbox", "kd_dedup_audit", "kd_dead_letters", "kd_dedup_retention_settings", "kd_outbox_topics_set_aside", "kd_dedup_heartbeats", "kd_parked_sequences", "kd_kafka_dedup_schema_history",
        "kd2_processed_messages", "kd2_consumer_offsets", "kd2_outbox", "kd2_dedup_audit", "kd2_dead_letters", "kd2_dedup_retention_settings", "kd2_outbox_topics_set_aside", "kd2_dedup_heartbeats", "kd2_parked_sequences", "kd2_kafka_dedup_schema_history");
    // the same key is fresh in each, claimed through the generated jOOQ classes
    for (DedupSchema schema : List.of(tenantA, tenantB, tenantB2)) {
      java.util.UUID id = DedupKeys.id("order-42");
      assertThat(claim(schema, "order-42")).as("%s", schema).containsExactly(id);
      assertThat(claim(schema, "order-42")).as("%s again", schema).isEmpty();
      assertThat(db.queryLong("select count(*) from " + schema.claims())).isEqualTo(1);
    }
  }

  @Test
  void sharesASchemaThatAlreadyHoldsApplicationTables() {
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY)");

    MigrationResult result = DedupMigrations.migrate(db.dataSource());

    assertThat(result.appliedVersions()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
    assertThat(tableNames("public")).contains("orders", "processed_messages", "consumer_offsets");
    assertThat(DbQueries.string(db, "select string_agg(version || ':' || type, ',' order by installed_rank) "
        + "from public.kafka_dedup_schema_history")).isEqualTo("0:BASELINE,1:SQL,2:SQL,3:SQL,4:SQL,5:SQL,6:SQL,7:SQL,8:SQL");
  }

  @Test
  void concurrentMigrationsApplyEachVersionOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<MigrationResult>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(pool.submit(() -> DedupMigrations.migrate(db.dataSource(), "concurrent")));
      }
      List<String> applied = new ArrayList<>();
      for (Future<MigrationResult> run : runs) {
        applied.addAll(run.get().appliedVersions());
      }
      // Flyway locks per migration: one run may apply 1-4 and another 5-8; each version exactly once, in all
      assertThat(applied).containsExactlyInAnyOrder("1", "2", "3", "4", "5", "6", "7", "8");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void invalidSchemaNameIsRejectedBeforeAnySqlRuns() {
    AtomicInteger connections = new AtomicInteger();
    DataSource counting = countingConnections(db.dataSource(), connections);
    long schemasBefore = db.queryLong("select count(*) from pg_namespace");

    assertThatThrownBy(() -> DedupMigrations.migrate(counting, "x; drop table"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 "
            + "characters), but was 'x; drop table'");

    assertThat(connections).hasValue(0);
    assertThat(db.queryLong("select count(*) from pg_namespace")).isEqualTo(schemasBefore);
    // the counter does count: a valid name opens connections
    DedupMigrations.migrate(counting, "valid");
    assertThat(connections.get()).isPositive();
  }

  @Test
  void theV1TableIsReadOnlyAndClaimsCheckTheirStatus() {
    DedupMigrations.migrate(db.dataSource());
    assertThatThrownBy(() -> db.execute("INSERT INTO public.processed_messages "
        + "(scope, message_key, topic, kafka_partition, kafka_offset) VALUES ('g', 'k', 't', 0, 0)"))
        .hasMessageContaining("read-only since schema version 2").hasMessageContaining("upgrade this consumer")
        .cause().isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55000"));
    assertThatThrownBy(() -> db.execute("INSERT INTO public.claims "
        + "(scope_id, generation, kafka_offset, key_id, kafka_partition, status) "
        + "VALUES (1, 1, 0, gen_random_uuid(), 0, 'X')"))
        .hasMessageContaining("claims_status_ck");
  }

  @Test
  void generatedJooqClassesMatchTheMigratedTables() {
    DedupMigrations.migrate(db.dataSource());
    for (var table : io.github.kafkadedup.migrations.jooq.Public.PUBLIC.getTables()) {
      String columns = DbQueries.string(db, "select string_agg(column_name || ' ' || data_type || ' '"
          + " || is_nullable, ', ' order by ordinal_position) from information_schema.columns"
          + " where table_schema = 'public' and table_name = '" + table.getName() + "'")
          .replace("\"char\"", "character"); // claims.status is PostgreSQL's one-byte "char"
      List<String> generated = new ArrayList<>();
      for (var field : table.fields()) {
        generated.add(field.getName() + " " + DbQueries.postgresTypeName(field.getDataType()) + " "
            + (field.getDataType().nullable() ? "YES" : "NO"));
      }
      assertThat(String.join(", ", generated)).as(table.getName()).isEqualTo(columns);
    }
  }

  private List<java.util.UUID> claim(DedupSchema schema, String key) throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      DSLContext ctx = DSL.using(c, SQLDialect.POSTGRES, schema.jooqSettings());
      return ctx.insertInto(CLAIMS, CLAIMS.SCOPE_ID, CLAIMS.GENERATION, CLAIMS.KAFKA_OFFSET, CLAIMS.KEY_ID,
              CLAIMS.KAFKA_PARTITION)
          .values(1, 1, 7L, DedupKeys.id(key), 0)
          .onConflictDoNothing()
          .returning(CLAIMS.KEY_ID)
          .fetch(CLAIMS.KEY_ID);
    }
  }

  private List<String> tableNames(String schema) {
    String names = DbQueries.string(db, "select coalesce(string_agg(table_name, ','), '') "
        + "from information_schema.tables where table_schema = '" + schema + "'");
    return names.isEmpty() ? List.of() : List.of(names.split(","));
  }

  private static DataSource countingConnections(DataSource target, AtomicInteger connections) {
    return (DataSource) Proxy.newProxyInstance(DedupMigrationsIT.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            connections.incrementAndGet();
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}

package io.github.kafkadedup.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.util.Arrays;
import java.util.List;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The upgrade path: a schema installed at each earlier version (Flyway {@code target}), holding
 * data, is migrated to the latest version and must then equal a fresh installation, with its data
 * kept; every later version is picked up from the classpath without changing this test. From V1 the
 * claims stay in processed_messages, which becomes the read-only legacy generation 0 (the engine's
 * probe of it is tested in dedup-consumer's LegacyGenerationIT).
 */
class UpgradePathIT {
  private static TestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = TestPostgres.get().createDatabase("upgrade");
  }

  @AfterAll
  static void closeDatabase() {
    db.close();
  }

  @Test
  void everyEarlierVersionUpgradesToTheSameSchemaAsAFreshInstall() {
    List<String> versions = shippedVersions();
    String latest = versions.getLast();
    DedupSchema fresh = DedupSchema.of("fresh");
    assertThat(DedupMigrations.migrate(db.dataSource(), fresh).appliedVersions())
        .containsExactlyElementsOf(versions);

    for (int i = 0; i < versions.size(); i++) {
      String start = versions.get(i);
      DedupSchema schema = DedupSchema.of("from_v" + start.replace('.', '_'));
      DedupMigrations.configure(db.dataSource(), schema).target(start).load().migrate();
      if (start.equals("1")) {
        insertV1Rows(schema);
      } else {
        insertV2Rows(schema);
      }

      MigrationResult upgrade = DedupMigrations.migrate(db.dataSource(), schema);

      assertThat(upgrade.appliedVersions()).as("from V%s", start)
          .containsExactlyElementsOf(versions.subList(i + 1, versions.size()));
      assertThat(upgrade.currentVersion()).isEqualTo(latest);
      assertThat(definition(schema)).as("from V%s", start).isEqualTo(definition(fresh));
      if (start.equals("1")) {
        assertThat(db.queryLong("select count(*) from " + schema.processedMessages()
            + " where scope = 'g' and message_key = 'k-1' and kafka_offset = 41")).isEqualTo(1);
        assertThat(db.queryLong("select count(*) from " + schema.generations() + " where generation = 0"
            + " and started_at = '2026-01-02 03:04:05+00'")).as("V1 is generation 0 from its oldest claim")
            .isEqualTo(1);
        assertThat(db.queryLong("select count(*) from " + schema.generations() + " where generation = 1"))
            .isEqualTo(1);
        assertThatThrownBy(() -> insertV1Rows(schema)).as("an old consumer cannot claim beside a new one")
            .hasMessageContaining("upgrade this consumer");
      } else {
        assertThat(db.queryLong("select count(*) from " + schema.claims() + " where key_id = "
            + schema.function("dedup_key_id") + "('k-2')")).isEqualTo(1);
      }
      assertThat(db.queryLong("select next_offset from " + schema.consumerOffsets()
          + " where scope = 'g' and topic = 'orders' and kafka_partition = 3")).isEqualTo(42);
    }
  }

  /** The versions in the jar, oldest first, read the way Flyway reads them. */
  private static List<String> shippedVersions() {
    MigrationInfo[] all = DedupMigrations.configure(db.dataSource(), DedupSchema.of("probe"))
        .load().info().all();
    List<String> versions = Arrays.stream(all)
        .filter(m -> m.getVersion() != null) // repeatable migrations have none
        .map(m -> m.getVersion().getVersion())
        .toList();
    assertThat(versions).startsWith("1");
    return versions;
  }

  private static void insertV2Rows(DedupSchema schema) {
    db.execute("INSERT INTO " + schema.claims() + " (scope_id, generation, kafka_offset, key_id, kafka_partition)"
        + " VALUES (1, 1, 41, " + schema.function("dedup_key_id") + "('k-2'), 3)",
        "INSERT INTO " + schema.consumerOffsets()
            + " (scope, topic, kafka_partition, next_offset) VALUES ('g', 'orders', 3, 42)");
  }

  private static void insertV1Rows(DedupSchema schema) {
    db.execute("INSERT INTO " + schema.processedMessages()
            + " (scope, message_key, topic, kafka_partition, kafka_offset, processed_at) VALUES ('g', 'k-1', 'orders',"
            + " 3, 41, '2026-01-02 03:04:05+00'), ('g', 'k-0', 'orders', 3, 40, now())",
        "INSERT INTO " + schema.consumerOffsets()
            + " (scope, topic, kafka_partition, next_offset) VALUES ('g', 'orders', 3, 42)");
  }

  /** Columns, constraints and indexes of the schema's tables, with the schema name taken out. */
  private static String definition(DedupSchema schema) {
    String name = schema.schema();
    return DbQueries.string(db, """
        select string_agg(d, E'\\n' order by d) from (
          select 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
                 || is_nullable || ' ' || coalesce(column_default, '-') as d
            from information_schema.columns where table_schema = '%1$s'
          union all
          select 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
                 || pg_get_constraintdef(oid)
            from pg_constraint where connamespace = '%1$s'::regnamespace
          union all
          select 'index ' || indexdef from pg_indexes where schemaname = '%1$s'
          union all
          select 'options ' || relname || ' ' || coalesce(array_to_string(reloptions, ','), '-')
            from pg_class where relnamespace = '%1$s'::regnamespace and relkind = 'r'
        ) defs""".formatted(name)).replace(name + ".", "SCHEMA.");
  }
}

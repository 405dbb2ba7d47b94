package io.github.kafkadedup.migrations;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and upgrades kafka-dedup's tables with Flyway.
 *
 * <p>The migrations live in their own location ({@value #LOCATION}) and keep their own history
 * table ({@value #HISTORY_TABLE}, behind the table prefix if there is one) in the target schema,
 * so they run beside the application's own Flyway migrations without version clashes. Run them as
 * a role that may create tables (and the schema, if it does not exist yet); the consumer itself
 * needs only SELECT, INSERT, UPDATE and DELETE on the tables (see {@code db/kafka-dedup-roles.sql}
 * and {@code db/kafka-dedup-grants.sql} in this jar).
 *
 * <pre>{@code
 * MigrationResult result = DedupMigrations.migrate(dataSource, "billing");
 * }</pre>
 *
 * <p>A schema that already holds other tables but no {@value #HISTORY_TABLE} (for example
 * {@code public} of an existing application) is baselined at version 0 first, so every kafka-dedup
 * version is still applied. Flyway serialises concurrent runs with an advisory lock, so several
 * instances of a service may call {@code migrate} at start-up.
 */
public final class DedupMigrations {

  /** Where the migration scripts are, for a Flyway configuration of your own. */
  public static final String LOCATION = "classpath:db/kafka-dedup";

  /**
   * The name of kafka-dedup's Flyway history table, created in the target schema; with a table
   * prefix the prefix comes first ({@link #historyTable(DedupSchema)}).
   */
  public static final String HISTORY_TABLE = "kafka_dedup_schema_history";

  private static final String BASELINE_VERSION = "0";

  private DedupMigrations() {}

  /**
   * Migrates the tables in schema {@code public}, without a table prefix ({@link DedupSchema#DEFAULT}).
   *
   * @param dataSource the database, as a role that may create tables
   * @return the applied versions and the current version
   * @throws org.flywaydb.core.api.FlywayException if a migration fails (it is rolled back)
   */
  public static MigrationResult migrate(DataSource dataSource) {
    return migrate(dataSource, DedupSchema.DEFAULT);
  }

  /**
   * Migrates the tables in {@code schema} (created if missing), without a table prefix.
   *
   * @param dataSource the database, as a role that may create tables (and the schema)
   * @param schema the schema, a lower-case SQL identifier, for example {@code billing}
   * @return the applied versions and the current version
   * @throws IllegalArgumentException if {@code schema} is not an allowed identifier; no SQL has run
   * @throws org.flywaydb.core.api.FlywayException if a migration fails (it is rolled back)
   */
  public static MigrationResult migrate(DataSource dataSource, String schema) {
    return migrate(dataSource, DedupSchema.of(schema));
  }

  /**
   * Migrates the tables in {@code schema} (created if missing), with its table prefix.
   *
   * @param dataSource the database, as a role that may create tables (and the schema)
   * @param schema the schema and table prefix
   * @return the applied versions and the current version
   * @throws org.flywaydb.core.api.FlywayException if a migration fails (it is rolled back)
   */
  public static MigrationResult migrate(DataSource dataSource, DedupSchema schema) {
    Flyway flyway = configure(dataSource, schema).load();
    MigrateResult result = flyway.migrate();
    List<String> applied = result.migrations.stream().map(m -> m.version).toList();
    MigrationInfo current = flyway.info().current();
    if (current == null || current.getVersion() == null) {
      throw new IllegalStateException("kafka-dedup migrations of schema " + schema.schema()
          + " finished without a current version in " + schema.schema() + "." + historyTable(schema));
    }
    return new MigrationResult(schema, applied, current.getVersion().getVersion());
  }

  /**
   * A Flyway configuration for kafka-dedup's migrations, to adjust before {@code load()}: the
   * location, the history table, the placeholders, the schema (created if missing, default schema of
   * the history table) and baseline-on-migrate at version 0. {@link #migrate(DataSource,
   * DedupSchema)} uses exactly this.
   *
   * @param dataSource the database, as a role that may create tables (and the schema)
   * @param schema the schema and table prefix
   * @return a new configuration
   */
  public static FluentConfiguration configure(DataSource dataSource, DedupSchema schema) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(schema, "schema");
    return Flyway.configure(DedupMigrations.class.getClassLoader())
        .dataSource(dataSource)
        .locations(LOCATION)
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .table(historyTable(schema))
        .schemas(schema.schema())
        .defaultSchema(schema.schema())
        .createSchemas(true)
        .baselineOnMigrate(true)
        .baselineVersion(BASELINE_VERSION)
        .baselineDescription("<< kafka-dedup baseline: schema held other tables >>")
        .placeholders(placeholders(schema))
        .cleanDisabled(true);
  }

  /**
   * The history table of {@code schema}'s tables: {@value #HISTORY_TABLE} behind the table prefix,
   * so two prefixes in one schema keep separate histories.
   *
   * @param schema the schema and table prefix
   * @return for example {@code kafka_dedup_schema_history} or {@code kd_kafka_dedup_schema_history}
   */
  public static String historyTable(DedupSchema schema) {
    return schema.tablePrefix() + HISTORY_TABLE;
  }

  /**
   * The Flyway placeholders the scripts use: {@code dedup_schema} and {@code dedup_table_prefix}.
   * For a Flyway of your own (the Maven plugin, a Spring bean) next to {@link #LOCATION} and
   * {@link #HISTORY_TABLE}.
   *
   * @param schema the schema and table prefix
   * @return an unmodifiable map from placeholder name to value
   */
  public static Map<String, String> placeholders(DedupSchema schema) {
    return Map.of("dedup_schema", schema.schema(), "dedup_table_prefix", schema.tablePrefix());
  }
}

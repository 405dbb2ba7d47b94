package io.github.kafkadedup.migrations;

import java.util.List;
import java.util.Objects;

/**
 * What {@link DedupMigrations#migrate(javax.sql.DataSource, DedupSchema)} did.
 *
 * @param schema where the tables are
 * @param appliedVersions the versions applied by this call, oldest first; empty when the schema was
 *     already up to date
 * @param currentVersion the schema's version after this call, for example {@code "1"}
 */
public record MigrationResult(DedupSchema schema, List<String> appliedVersions, String currentVersion) {

  /**
   * Copies {@code appliedVersions}.
   *
   * @throws NullPointerException if an argument or a version is null
   */
  public MigrationResult {
    Objects.requireNonNull(schema, "schema");
    appliedVersions = List.copyOf(appliedVersions);
    Objects.requireNonNull(currentVersion, "currentVersion");
  }
}

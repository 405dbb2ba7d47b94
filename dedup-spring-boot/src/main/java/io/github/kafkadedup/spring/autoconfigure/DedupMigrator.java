package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.migrations.MigrationResult;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/** Runs kafka-dedup's Flyway migrations when the bean is created, before any listener container starts. */
final class DedupMigrator implements InitializingBean {
  private static final Logger log = LoggerFactory.getLogger(DedupMigrator.class);

  private final DataSource dataSource;
  private final DedupSchema schema;

  DedupMigrator(DataSource dataSource, DedupSchema schema) {
    this.dataSource = dataSource;
    this.schema = schema;
  }

  @Override
  public void afterPropertiesSet() {
    MigrationResult result = DedupMigrations.migrate(dataSource, schema);
    log.info("kafka-dedup tables in schema {} (prefix '{}') migrated: {}", schema.schema(), schema.tablePrefix(),
        result);
  }
}

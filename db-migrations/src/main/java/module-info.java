/**
 * kafka-dedup's database schema: the Flyway migrations, the schema and table names they create
 * ({@link io.github.kafkadedup.migrations.DedupSchema}) and the jOOQ classes generated from them.
 *
 * <p>Every package is API: the generated jOOQ classes are documented for querying the tables. The
 * migration scripts are resources outside any package ({@code db/kafka-dedup}), so Flyway finds them
 * whether this jar is on the module path or the class path.
 */
// kafka-clients, Flyway, Micrometer and Spring publish no module descriptor: their names are
// automatic, and re-exporting them is what users of these types need
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.github.kafkadedup.migrations {
  // DedupSchema.jooqSettings() and the generated tables hand out jOOQ types
  requires transitive org.jooq;
  // DedupMigrations.configure takes and returns Flyway's FluentConfiguration; flyway-core has no
  // module name of its own, so this is the name derived from its jar
  requires transitive flyway.core;
  // DedupMigrations.run takes a javax.sql.DataSource
  requires transitive java.sql;
  // the nullness annotations on the API (type-use @Nullable): users' javac sees them, the JVM
  // does not need them
  requires static transitive org.jspecify;

  exports io.github.kafkadedup.migrations;
  exports io.github.kafkadedup.migrations.jooq;
  exports io.github.kafkadedup.migrations.jooq.tables;
  exports io.github.kafkadedup.migrations.jooq.tables.records;
}

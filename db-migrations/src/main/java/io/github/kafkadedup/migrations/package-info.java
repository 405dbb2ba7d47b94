/**
 * kafka-dedup's database schema: the Flyway migrations that create the {@code processed_messages}
 * and {@code consumer_offsets} tables, and where they live.
 *
 * <ul>
 *   <li>{@link io.github.kafkadedup.migrations.DedupMigrations}: run the migrations, or configure
 *       your own Flyway with the same location, history table and placeholders.
 *   <li>{@link io.github.kafkadedup.migrations.DedupSchema}: the validated schema name and table
 *       prefix, the qualified table names and the jOOQ settings that map the generated classes to
 *       them.
 * </ul>
 *
 * <p>The jOOQ classes in {@code io.github.kafkadedup.migrations.jooq} are generated from the same
 * migration scripts at build time.
 */
@NullMarked
package io.github.kafkadedup.migrations;

import org.jspecify.annotations.NullMarked;

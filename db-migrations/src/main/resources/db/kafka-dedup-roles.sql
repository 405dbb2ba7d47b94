-- kafka-dedup: least-privilege roles (PostgreSQL 13 or newer). Run with psql; not a Flyway migration.
--
--   kafka_dedup_owner  owns the schema and runs the migrations (DDL). Used by a deploy step or by
--                      DedupMigrations.migrate at start-up, never by the consumers.
--   kafka_dedup_app    what the consumers connect as: reads and writes rows of the two tables and
--                      nothing else (no CREATE, DROP, ALTER, TRUNCATE, no access to the history table).
--
-- Names: schema kafka_dedup, no table prefix. For other names replace them throughout. Set the
-- passwords separately (psql: \password kafka_dedup_owner), never in a script.

-- Run before the first migration, as a superuser (or a role that may create roles and may act as
-- kafka_dedup_owner).
CREATE ROLE kafka_dedup_owner LOGIN;
CREATE ROLE kafka_dedup_app LOGIN;
CREATE SCHEMA kafka_dedup AUTHORIZATION kafka_dedup_owner;
GRANT USAGE ON SCHEMA kafka_dedup TO kafka_dedup_app;
-- PostgreSQL 13 and 14 also let every role create tables in schema public (15 and newer do not).
-- There, remove that right if nothing else relies on it: REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Then migrate as kafka_dedup_owner, e.g. DedupMigrations.migrate(ownerDataSource, "kafka_dedup"),
-- and run kafka-dedup-grants.sql as kafka_dedup_owner.

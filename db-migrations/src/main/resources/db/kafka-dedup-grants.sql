-- kafka-dedup: the runtime role's rights (see kafka-dedup-roles.sql). Run with psql as kafka_dedup_owner
-- after the migrations, and again after each kafka-dedup version that adds a table or function (GRANT is
-- idempotent). Never the history table, never DDL. Names as in kafka-dedup-roles.sql.
--
-- Schema version 2:
-- * claims: the partitions (generations) inherit nothing, but rows are reached through the partitioned
--   table claims only, whose rights are checked for every partition.
-- * dedup_scopes: a consumer registers its scope at start (INSERT).
-- * dedup_generations: read by every claim (the current generation).
-- * processed_messages: the V1 table, read-only since version 2 (a trigger rejects writes); probed by
--   the claim while it is a live generation 0. DELETE stays for a V1 consumer's retention job until all
--   consumers run version 2.
-- * The maintenance functions create, switch and drop generations with the owner's rights (SECURITY
--   DEFINER), so RetentionJob can run as this role without any DDL right of its own.
-- Schema version 3: outbox (handlers insert, the relay reads and deletes).
GRANT SELECT, INSERT, UPDATE ON kafka_dedup.claims TO kafka_dedup_app;
GRANT SELECT, INSERT ON kafka_dedup.dedup_scopes TO kafka_dedup_app;
GRANT SELECT ON kafka_dedup.dedup_generations TO kafka_dedup_app;
GRANT SELECT, INSERT, UPDATE, DELETE
  ON kafka_dedup.processed_messages, kafka_dedup.consumer_offsets, kafka_dedup.outbox
  TO kafka_dedup_app;
-- Schema version 5: dead_letters (the engine inserts a dead letter with its D claim; the relay marks it
-- published or held, and moves an outbox row it can never publish there). No DELETE: operators remove rows.
GRANT SELECT, INSERT, UPDATE ON kafka_dedup.dead_letters TO kafka_dedup_app;
-- Schema version 7: dedup_heartbeats (each consumer upserts its own row every few seconds, deletes its
-- scope's rows not seen for 7 days at start).
GRANT SELECT, INSERT, UPDATE, DELETE ON kafka_dedup.dedup_heartbeats TO kafka_dedup_app;
-- Schema version 8: parked_sequences (a consumer with sequencing parks a sequence behind its dead letter and
-- releases it, DELETE, when the last replayed record of it is applied).
GRANT SELECT, INSERT, UPDATE, DELETE ON kafka_dedup.parked_sequences TO kafka_dedup_app;
GRANT EXECUTE ON FUNCTION kafka_dedup.dedup_prepare_generations(integer, integer),
  kafka_dedup.dedup_switch_generation(integer),
  kafka_dedup.dedup_drop_generation(integer, timestamptz, integer)
  TO kafka_dedup_app;
--
-- Schema version 4: dedup_audit (written by `kafka-dedup forget`, run as kafka_dedup_owner) gets no grant
-- here: the consumers never write it, and reading it is for the owner or a role you grant SELECT to.

--
-- The dead-letter operations (io.github.kafkadedup.outbox.DeadLetters, `kafka-dedup dead-letters`: replay
-- removes a D claim, writes an outbox row and a dedup_audit row) run as kafka_dedup_owner, like forget.
--
-- Schema version 6: the owner's retention rules (dedup_retention_settings), enforced by the maintenance
-- functions for every role but the owner. The runtime role reads them (RetentionJob keeps its cutoff within
-- them through dedup_retention_floor()) and cannot change them: no UPDATE here.
GRANT SELECT ON kafka_dedup.dedup_retention_settings TO kafka_dedup_app;
GRANT EXECUTE ON FUNCTION kafka_dedup.dedup_retention_floor() TO kafka_dedup_app;
-- The outbox relay records the topics it sets aside (missing or not authorised) for kafka-dedup status.
GRANT SELECT, INSERT, UPDATE, DELETE ON kafka_dedup.outbox_topics_set_aside TO kafka_dedup_app;

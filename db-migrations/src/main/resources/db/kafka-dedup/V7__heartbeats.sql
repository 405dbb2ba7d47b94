-- kafka-dedup V7: a heartbeat per running consumer, so that `kafka-dedup status` can tell a stuck consumer
-- (lag, but no batch for minutes) from a slow one and from none at all, in every offset mode.
--
-- Placeholders as in V1 (dedup_schema, dedup_table_prefix: validated lower-case identifiers).
--
-- Cost: a consumer upserts its own row at most once per heartbeat interval (default 5 s), never per record:
-- one autocommit statement that changes no indexed column, so PostgreSQL updates the row in place (a HOT
-- update, no index entry); fillfactor 50 leaves room on the page for it. Measured in docs/operations.md.
-- Rows are kept after a consumer stops (stopped_at says it stopped cleanly; a crashed one just falls
-- silent); a consumer deletes its scope's rows not seen for 7 days when it starts.

CREATE TABLE ${dedup_schema}.${dedup_table_prefix}dedup_heartbeats (
  scope       text        NOT NULL,
  instance    text        NOT NULL,
  group_id    text,
  member_id   text,
  host        text        NOT NULL,
  started_at  timestamptz NOT NULL,
  seen_at     timestamptz NOT NULL,
  progress_at timestamptz,
  stopped_at  timestamptz,
  records     bigint      NOT NULL DEFAULT 0,
  CONSTRAINT ${dedup_table_prefix}dedup_heartbeats_pk PRIMARY KEY (scope, instance)
)
-- [jooq ignore start]
WITH (fillfactor = 50)
-- [jooq ignore stop]
;

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}dedup_heartbeats IS
  'kafka-dedup: one row per consumer instance and scope, upserted by the consumer at most once per heartbeat interval (not per record); read by kafka-dedup status.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_heartbeats.instance IS
  'host/pid#n of the consumer (n counts the consumers of the JVM).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_heartbeats.member_id IS
  'The consumer''s member id in its Kafka group at the last heartbeat (matches kafka-consumer-groups.sh --describe --members).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_heartbeats.seen_at IS
  'The last heartbeat: the consumer''s loop was polling then (database clock).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_heartbeats.progress_at IS
  'When the consumer last completed a batch with records (database clock, to the heartbeat interval); NULL: none yet.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_heartbeats.stopped_at IS
  'When the consumer stopped cleanly (NULL while it runs, or after a crash).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_heartbeats.records IS
  'Records this instance completed since it started (processed, duplicates and dead letters).';

-- kafka-dedup V1: the claim table and the offsets table.
--
-- Placeholders (validated by DedupSchema before they reach this script): dedup_schema is the target
-- schema, dedup_table_prefix is prepended to every table, constraint and index name. Both are
-- lower-case SQL identifiers ([a-z_][a-z0-9_]*), so they are spliced in without quoting.
--
-- Type choices:
-- * text, not bytea, for scope and message_key: keys are usually UUIDs or business ids that people
--   want to read in psql, and the Kafka header / record key is decoded as UTF-8 by the library.
-- * text plus CHECK on octet_length, not varchar(n): varchar(n) counts characters, not bytes, and a
--   B-tree entry must stay below about 2,704 bytes (a third of an 8 kB page) or the INSERT fails with
--   a confusing "index row size exceeds maximum" error. 512 + 255 bytes keep the primary-key entry far
--   below that limit and give a defined error (the named CHECK constraint) instead.
-- * kafka_partition / kafka_offset, not partition / offset: OFFSET is a reserved word in SQL.
-- * status char(1) with a CHECK, not an enum type: one byte on disk, readable, and a later version
--   can add a value with a plain constraint change instead of ALTER TYPE.
-- * fillfactor 100 on processed_messages (insert-only: pack the pages full), 70 on consumer_offsets
--   (one row per partition rewritten on every batch: free space on the page allows HOT updates).
-- * A BRIN index on processed_at for retention deletes: the column grows with insertion order, so a
--   BRIN index is a few pages, costs almost nothing per insert, and still finds the old block ranges.
--
-- Statements jOOQ's parser does not know (storage parameters, BRIN) are wrapped in jOOQ ignore
-- comments; they only affect code generation, Flyway runs every line.

CREATE TABLE ${dedup_schema}.${dedup_table_prefix}processed_messages (
  scope           text        NOT NULL,
  message_key     text        NOT NULL,
  topic           text        NOT NULL,
  kafka_partition integer     NOT NULL,
  kafka_offset    bigint      NOT NULL,
  status          char(1)     NOT NULL DEFAULT 'P',
  processed_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ${dedup_table_prefix}processed_messages_pk PRIMARY KEY (scope, message_key),
  CONSTRAINT ${dedup_table_prefix}processed_messages_status_ck CHECK (status IN ('P', 'D')),
  CONSTRAINT ${dedup_table_prefix}processed_messages_key_len_ck
    CHECK (octet_length(message_key) <= 512 AND octet_length(scope) <= 255)
)
-- [jooq ignore start]
WITH (fillfactor = 100)
-- [jooq ignore stop]
;

-- [jooq ignore start]
CREATE INDEX ${dedup_table_prefix}processed_messages_at_brin
  ON ${dedup_schema}.${dedup_table_prefix}processed_messages USING brin (processed_at);
-- [jooq ignore stop]

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}processed_messages IS
  'kafka-dedup: one row per claimed dedup key. A key present here has been processed (or dead-lettered) within its scope; a redelivery or re-send of it is skipped.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}processed_messages.scope IS
  'Who deduplicates: the consumer group id or a user-chosen name, so services sharing this table never suppress each other. At most 255 bytes.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}processed_messages.message_key IS
  'The dedup key (idempotency-key header, record key, value field, or topic-partition-offset), as UTF-8 text. At most 512 bytes.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}processed_messages.topic IS
  'Topic of the record that claimed the key (diagnostics).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}processed_messages.kafka_partition IS
  'Partition of the record that claimed the key (diagnostics).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}processed_messages.kafka_offset IS
  'Offset of the record that claimed the key (diagnostics).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}processed_messages.status IS
  'P = processed, D = dead-lettered (handed to the recoverer).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}processed_messages.processed_at IS
  'When the key was claimed (transaction start time); retention deletes rows older than the dedup window.';

CREATE TABLE ${dedup_schema}.${dedup_table_prefix}consumer_offsets (
  scope           text        NOT NULL,
  topic           text        NOT NULL,
  kafka_partition integer     NOT NULL,
  next_offset     bigint      NOT NULL,
  generation      bigint      NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ${dedup_table_prefix}consumer_offsets_pk PRIMARY KEY (scope, topic, kafka_partition)
)
-- [jooq ignore start]
WITH (fillfactor = 70)
-- [jooq ignore stop]
;

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}consumer_offsets IS
  'kafka-dedup: the next offset of each partition, written in the same transaction as the claims (offsets-in-PostgreSQL mode).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}consumer_offsets.scope IS
  'The consumer group id or user-chosen name, as in processed_messages.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}consumer_offsets.topic IS
  'The topic.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}consumer_offsets.kafka_partition IS
  'The partition.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}consumer_offsets.next_offset IS
  'The offset of the next record to process (the Kafka committed-offset convention).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}consumer_offsets.generation IS
  'Owner epoch of the partition: a writer with an older generation is a zombie and is fenced.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}consumer_offsets.updated_at IS
  'When the row was last written.';

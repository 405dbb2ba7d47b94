-- kafka-dedup V5: dead letters through PostgreSQL (issue 14).
--
-- Placeholders as in V1 (dedup_schema, dedup_table_prefix: validated lower-case identifiers).
--
-- A record the engine dead-letters (its handler failed after the retries, it could not be deserialized, its
-- key was missing or unusable, or its key was dead-lettered before) is stored here in the SAME transaction
-- as its key's 'D' claim (and its offset, when offsets live in PostgreSQL); the same transaction writes an
-- outbox row to the dead-letter topic (outbox.dead_letter_id = this id), which the outbox relay publishes
-- and then marks here 'published'. A record the relay can never publish (too large for its producer,
-- invalid, not serializable) is set aside as 'held' instead of blocking its lane: a dead letter keeps its
-- row and becomes 'held'; any other outbox row is moved here with reason 'unpublishable'. Operators list,
-- show, replay or discard the rows (io.github.kafkadedup.outbox.DeadLetters); each operation is recorded on
-- the row (action_*) and in dedup_audit, in the operation's transaction.
--
-- Design:
-- * (scope, source_topic, source_partition, source_offset) is unique: a consumer that dead-letters the same
--   record again after a crash (a commit whose outcome was unknown, a zombie) inserts nothing and writes no
--   second outbox row, so the dead-letter topic gets the record once.
-- * record_key, record_value, headers: the record's bytes as they were on the source topic (headers in the
--   outbox's length-prefixed encoding), so a replay puts back exactly what came in. The dead-letter topic's
--   copy, with the dedup-dlt-* headers, lives only in the outbox row until it is published.
-- * scope and message_key are text as the operator knows them; key_id is the claim's id
--   (dedup_key_id(message_key)), NULL when the record had no usable key (and so no claim).
-- * No foreign keys: scopes and claims (generations) may be dropped long before a dead letter is.
-- * Rows are kept until an operator removes them: dead letters are rare, and each is evidence.

CREATE TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters (
  id                bigint      GENERATED ALWAYS AS IDENTITY,
  created_at        timestamptz NOT NULL DEFAULT now(),
  state             text        NOT NULL DEFAULT 'pending',
  reason            text        NOT NULL,
  scope             text,
  key_id            uuid,
  message_key       text,
  source_topic      text        NOT NULL,
  source_partition  integer,
  source_offset     bigint,
  record_timestamp  timestamptz,
  record_key        bytea,
  record_value      bytea,
  headers           bytea,
  exception_class   text,
  exception_message text,
  exception_stack   text,
  dlt_topic         text,
  published_at      timestamptz,
  attempts          integer     NOT NULL DEFAULT 0,
  last_error        text,
  action_at         timestamptz,
  action_db_user    text,
  action_operator   text,
  action_reason     text,
  CONSTRAINT ${dedup_table_prefix}dead_letters_pk PRIMARY KEY (id),
  CONSTRAINT ${dedup_table_prefix}dead_letters_state_ck
    CHECK (state IN ('pending', 'published', 'held', 'replayed', 'discarded')),
  CONSTRAINT ${dedup_table_prefix}dead_letters_reason_ck
    CHECK (reason IN ('handler_failed', 'undeserializable', 'missing_key', 'invalid_key', 'key_too_long',
                      'dead_lettered_before', 'unpublishable')),
  CONSTRAINT ${dedup_table_prefix}dead_letters_action_ck
    CHECK (action_at IS NULL OR trim(action_reason) <> '')
);

-- (jOOQ's code generator replays this script on H2, which cannot index a nullable text column.)
-- [jooq ignore start]
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters ADD CONSTRAINT ${dedup_table_prefix}dead_letters_source_uk
  UNIQUE (scope, source_topic, source_partition, source_offset);
-- [jooq ignore stop]

CREATE INDEX ${dedup_table_prefix}dead_letters_state_ix
  ON ${dedup_schema}.${dedup_table_prefix}dead_letters (state, id);

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters IS
  'kafka-dedup: dead-lettered records (stored with their key''s D claim) and outbox records the relay could not publish; published to the dead-letter topic through the outbox.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.state IS
  'pending (its outbox row waits for the relay), published (on the dead-letter topic), held (the relay can never publish it: too large, invalid), replayed, discarded (by an operator).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.reason IS
  'Why: handler_failed, undeserializable, missing_key, invalid_key, key_too_long, dead_lettered_before, or unpublishable (an outbox row the relay could not publish).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.key_id IS
  'The key''s claim id (claims.key_id, dedup_key_id(message_key)); NULL if the record had no usable key.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.source_topic IS
  'Where the record came from (for reason unpublishable: the topic the outbox row was for).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.headers IS
  'The record''s original headers, length-prefixed (the outbox encoding).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.dlt_topic IS
  'The dead-letter topic its copy goes to (NULL for reason unpublishable).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.attempts IS
  'Publish attempts that failed for the record itself (last_error says why).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.action_operator IS
  'Who made the last operator action (free text), with action_db_user (current_user), action_at and action_reason.';

-- The dead-letter copy waiting in the outbox: set by the dead-letter transaction, read by the relay to mark
-- the dead letter published or held. NULL for every other outbox row (no storage beyond the null bitmap).
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}outbox ADD COLUMN dead_letter_id bigint;

COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}outbox.dead_letter_id IS
  'The dead_letters row this record is the dead-letter copy of, or NULL.';

-- One audit table answers "who did what": dead-letter operations join kafka-dedup forget. They remove no
-- claim (discard) or a claim they name by key id (replay), so the removed_* columns become optional.
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit ADD COLUMN dead_letter_id bigint;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit ALTER COLUMN scope DROP NOT NULL;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit ALTER COLUMN key_id DROP NOT NULL;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit ALTER COLUMN removed_generation DROP NOT NULL;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit ALTER COLUMN removed_status DROP NOT NULL;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit ALTER COLUMN removed_partition DROP NOT NULL;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit ALTER COLUMN removed_offset DROP NOT NULL;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit
  DROP CONSTRAINT ${dedup_table_prefix}dedup_audit_action_ck;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit
  ADD CONSTRAINT ${dedup_table_prefix}dedup_audit_action_ck
  CHECK (action IN ('forget', 'dead-letter-replay', 'dead-letter-discard'));

COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_audit.dead_letter_id IS
  'The dead_letters row a dead-letter-replay or dead-letter-discard acted on.';

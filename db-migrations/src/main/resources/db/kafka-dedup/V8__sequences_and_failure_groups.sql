-- kafka-dedup V8: dead letters in order (sequencing) and failure groups (issue 24).
--
-- Placeholders as in V1 (dedup_schema, dedup_table_prefix: validated lower-case identifiers).
--
-- Sequencing (opt in per consumer): a sequence is the records of one sequence key (the record key by default)
-- on one source partition, in one scope. When one of them is dead-lettered, its sequence is parked: a row here
-- names the head (the dead letter), and every later record of the sequence is stored in dead_letters as
-- 'parked' (reason 'sequence_parked', no copy for the dead-letter topic) instead of being applied. An operator
-- replays the head (the head and the parked records go back to the source topic in offset order, and the
-- sequence is 'replaying' until the consumer has applied the last of them) or discards it (the parked records
-- are released in order, or discarded with it). The partition's owner reads this table when it is assigned the
-- partition and whenever a record of a sequence it knows to be parked arrives; a record of any other sequence
-- costs nothing here.
--
-- Failure groups: a fingerprint per dead letter (scope, topic, reason, exception class and the message with its
-- numbers and ids masked), computed by the writer, so dead letters of one cause are counted, replayed or
-- discarded together.
--
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters ADD COLUMN sequence_key text;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters ADD COLUMN fingerprint text;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters ADD COLUMN replay_applied_at timestamptz;

-- (jOOQ's code generator replays the scripts on H2, which indexes no nullable text column and no partial index.)
-- [jooq ignore start]
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters
  DROP CONSTRAINT ${dedup_table_prefix}dead_letters_state_ck;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters
  ADD CONSTRAINT ${dedup_table_prefix}dead_letters_state_ck
  CHECK (state IN ('pending', 'published', 'held', 'parked', 'replayed', 'discarded', 'superseded'));
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters
  DROP CONSTRAINT ${dedup_table_prefix}dead_letters_reason_ck;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters
  ADD CONSTRAINT ${dedup_table_prefix}dead_letters_reason_ck
  CHECK (reason IN ('handler_failed', 'undeserializable', 'missing_key', 'invalid_key', 'key_too_long',
                    'dead_lettered_before', 'unpublishable', 'sequence_parked'));

CREATE INDEX ${dedup_table_prefix}dead_letters_sequence_ix
  ON ${dedup_schema}.${dedup_table_prefix}dead_letters (scope, source_topic, source_partition, sequence_key, source_offset)
  WHERE sequence_key IS NOT NULL;
CREATE INDEX ${dedup_table_prefix}dead_letters_fingerprint_ix
  ON ${dedup_schema}.${dedup_table_prefix}dead_letters (fingerprint, state) WHERE fingerprint IS NOT NULL;
-- [jooq ignore stop]

COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.sequence_key IS
  'The record''s sequence key when its consumer keeps sequences in order (sequencing), else NULL.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.fingerprint IS
  'Failure group: hash of scope, source topic, reason, exception class and the masked exception message.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dead_letters.replay_applied_at IS
  'Sequenced replay: when the consumer applied (or found a duplicate) the replayed copy of this record.';

CREATE TABLE ${dedup_schema}.${dedup_table_prefix}parked_sequences (
  scope            text        NOT NULL,
  source_topic     text        NOT NULL,
  source_partition integer     NOT NULL,
  sequence_key     text        NOT NULL,
  state            text        NOT NULL DEFAULT 'parked',
  head_id          bigint      NOT NULL,
  replays_pending  integer     NOT NULL DEFAULT 0,
  parked_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ${dedup_table_prefix}parked_sequences_pk PRIMARY KEY (scope, source_topic, source_partition, sequence_key),
  CONSTRAINT ${dedup_table_prefix}parked_sequences_state_ck CHECK (state IN ('parked', 'replaying')),
  CONSTRAINT ${dedup_table_prefix}parked_sequences_pending_ck CHECK (replays_pending >= 0)
);

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}parked_sequences IS
  'kafka-dedup: sequences whose records wait behind a dead letter (sequencing); one row per parked sequence.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}parked_sequences.state IS
  'parked (waiting for an operator), replaying (the replayed records are on their way back; released after the last).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}parked_sequences.head_id IS
  'The dead letter the sequence waits behind (dead_letters.id).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}parked_sequences.replays_pending IS
  'While replaying: replayed records the consumer has not applied yet; the row is deleted when it reaches 0.';

-- kafka-dedup V4: the audit trail of operator actions (the kafka-dedup command, dedup-cli).
--
-- Placeholders as in V1 (dedup_schema, dedup_table_prefix: validated lower-case identifiers).
--
-- One row per claim an operator removed with `kafka-dedup forget`, written in the same transaction as
-- the DELETE, so a claim never disappears without its row here. Design:
-- * db_user is current_user of that transaction (the database's own idea of who did it, which a flag
--   cannot fake); operator is the free-text --operator (a person behind a shared role), may be NULL.
-- * scope and message_key are stored as text as typed: since V2 the claim holds only a hashed key id, and
--   the person reading the audit later wants the key they searched for. message_key is NULL when the
--   operator gave only --key-id.
-- * removed_* describe the removed claim (its generation, status and first partition@offset), so the
--   audit answers "what was removed" without the claim.
-- * No foreign keys: the scope and generation rows may be gone long before the audit row is.
-- * The runtime role gets no right on this table (kafka-dedup-grants.sql): consumers never write it.

CREATE TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit (
  id                bigint      GENERATED ALWAYS AS IDENTITY,
  done_at           timestamptz NOT NULL DEFAULT now(),
  db_user           text        NOT NULL DEFAULT current_user,
  operator          text,
  action            text        NOT NULL,
  reason            text        NOT NULL,
  scope             text        NOT NULL,
  message_key       text,
  key_id            uuid        NOT NULL,
  removed_generation integer    NOT NULL,
  removed_status    char(1)     NOT NULL,
  removed_partition integer     NOT NULL,
  removed_offset    bigint      NOT NULL,
  CONSTRAINT ${dedup_table_prefix}dedup_audit_pk PRIMARY KEY (id),
  CONSTRAINT ${dedup_table_prefix}dedup_audit_reason_ck CHECK (trim(reason) <> ''),
  CONSTRAINT ${dedup_table_prefix}dedup_audit_action_ck CHECK (action IN ('forget'))
);

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit IS
  'kafka-dedup: one row per claim removed by an operator (kafka-dedup forget), written in the transaction that removed it.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_audit.db_user IS
  'current_user of the removing transaction.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_audit.operator IS
  'Who ran the command, as given with --operator (free text), or NULL.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_audit.reason IS
  'Why, as given with --reason (required, not blank).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_audit.message_key IS
  'The dedup key as typed (NULL if only its key id was given).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_audit.removed_generation IS
  'Generation of the removed claim (0: the V1 table processed_messages).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_audit.removed_status IS
  'Status of the removed claim: P processed, D dead-lettered.';

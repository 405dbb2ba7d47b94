-- kafka-dedup V6: retention's rules enforced by the database itself (issue 22).
--
-- Placeholders as in V1 (dedup_schema, dedup_table_prefix: validated lower-case identifiers).
--
-- Before V6 the maintenance functions (SECURITY DEFINER, callable by the runtime role) accepted any cutoff:
-- the window and replay-horizon checks lived only in RetentionJob, so the runtime role could erase every
-- live claim with `SELECT dedup_drop_generation(g, now() + interval '1 day', 1000)` and the next re-send was
-- applied twice. Now:
-- * dedup_retention_settings (one row) holds the owner's rules: minimum_window, replay_horizon and
--   minimum_generation_length. The runtime role may read it (RetentionJob adapts its cutoff) but not change it.
-- * dedup_drop_generation refuses (SQLSTATE 42501, naming the setting) to drop a generation that ended less
--   than minimum_window or replay_horizon ago; dedup_switch_generation refuses to end a generation younger
--   than minimum_generation_length (ending generations early makes them expire early).
-- * The owner (the functions' owner, any role that is a member of it, a superuser) is not held back: it can
--   drop tables anyway. "The caller" is the session's role (or the role set with SET ROLE), since inside a
--   SECURITY DEFINER function current_user is the owner.
-- * dedup_audit gets the action 'retention-drop': dedup_drop_generation writes one row per dropped generation
--   (the caller, the session's kafka_dedup.operator and kafka_dedup.reason settings if set, the generation and
--   its number of keys), whoever calls it: RetentionJob, kafka-dedup retention run, a DBA and 'dead-letter-superseded' (a replay refused because its key was applied since); its new
--   column keys counts the claims a dropped generation held.
-- * dead_letters gets the state 'superseded'.
-- * outbox_topics_set_aside: a topic the outbox relay found missing (or not writable): its rows wait in the
--   outbox, the other topics' rows go on; the row is removed when the topic can be written (kafka-dedup status
--   names it).

-- [jooq ignore start]
CREATE TABLE ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings (
  only_row                  boolean  NOT NULL DEFAULT true,
  minimum_window            interval NOT NULL DEFAULT interval '7 days',
  replay_horizon            interval NOT NULL DEFAULT interval '7 days 1 hour',
  minimum_generation_length interval NOT NULL DEFAULT interval '1 minute',
  CONSTRAINT ${dedup_table_prefix}dedup_retention_settings_pk PRIMARY KEY (only_row),
  CONSTRAINT ${dedup_table_prefix}dedup_retention_settings_one_ck CHECK (only_row),
  CONSTRAINT ${dedup_table_prefix}dedup_retention_settings_positive_ck
    CHECK (minimum_window >= interval '0' AND replay_horizon >= interval '0'
           AND minimum_generation_length >= interval '0')
);

INSERT INTO ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings DEFAULT VALUES;

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings IS
  'kafka-dedup: the owner''s retention rules, enforced by dedup_drop_generation and dedup_switch_generation for every role but the owner. One row; change it as the owner (UPDATE ... SET replay_horizon = ...).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings.minimum_window IS
  'No generation that ended less than this ago is dropped (the shortest dedup window allowed).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings.replay_horizon IS
  'How far back a record can come back (the longest retention.ms of the topics, plus an hour for clock skew): no generation that ended less than this ago is dropped. Default: Kafka''s default retention of 7 days plus one hour.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings.minimum_generation_length IS
  'dedup_switch_generation does not end a generation younger than this.';

-- The role calling a SECURITY DEFINER function of this schema (inside it, current_user is the owner): the
-- session's role, or the one set with SET ROLE.
CREATE FUNCTION ${dedup_schema}.${dedup_table_prefix}dedup_caller() RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END
  $$;

-- Whether that caller may bypass the rules: it is a member of the functions' owner, or a superuser.
CREATE FUNCTION ${dedup_schema}.${dedup_table_prefix}dedup_caller_is_owner() RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT pg_has_role(${dedup_schema}.${dedup_table_prefix}dedup_caller(), current_user, 'MEMBER')
  $$;

-- How long ago a generation must have ended for the caller to drop it: 0 for the owner, else the greater of
-- minimum_window and replay_horizon. RetentionJob reads it to keep its cutoff within the rules.
CREATE FUNCTION ${dedup_schema}.${dedup_table_prefix}dedup_retention_floor() RETURNS interval
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    floor interval;
  BEGIN
    IF ${dedup_schema}.${dedup_table_prefix}dedup_caller_is_owner() THEN
      RETURN interval '0';
    END IF;
    SELECT greatest(minimum_window, replay_horizon) INTO floor
      FROM ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings;
    RETURN coalesce(floor, interval '0');
  END
  $$;

CREATE OR REPLACE FUNCTION ${dedup_schema}.${dedup_table_prefix}dedup_switch_generation(lock_timeout_ms integer)
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    nxt integer;
    cur_started timestamptz;
    min_length interval;
  BEGIN
    PERFORM set_config('lock_timeout', lock_timeout_ms || 'ms', true);
    PERFORM pg_advisory_xact_lock(hashtext('kafka-dedup'), hashtext('${dedup_schema}.${dedup_table_prefix}claims'));
    SELECT max(generation) + 1 INTO nxt FROM ${dedup_schema}.${dedup_table_prefix}dedup_generations;
    IF NOT ${dedup_schema}.${dedup_table_prefix}dedup_caller_is_owner() THEN
      SELECT started_at INTO cur_started FROM ${dedup_schema}.${dedup_table_prefix}dedup_generations
        WHERE generation = nxt - 1;
      SELECT minimum_generation_length INTO min_length
        FROM ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings;
      IF cur_started > now() - min_length THEN
        RAISE EXCEPTION 'kafka-dedup: generation % started at %, less than minimum_generation_length (%) ago: not ended (setting minimum_generation_length in %.%dedup_retention_settings, changed by the owner role only)',
          nxt - 1, cur_started, min_length, '${dedup_schema}', '${dedup_table_prefix}'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
    END IF;
    IF to_regclass(format('%I.%I', '${dedup_schema}', '${dedup_table_prefix}claims_g' || nxt)) IS NULL THEN
      RAISE EXCEPTION 'kafka-dedup: the partition of generation % is missing; create it first with SELECT %.%dedup_prepare_generations(2, 5000)',
        nxt, '${dedup_schema}', '${dedup_table_prefix}' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO ${dedup_schema}.${dedup_table_prefix}dedup_generations (generation, started_at)
      VALUES (nxt, clock_timestamp());
    RETURN nxt;
  END
  $$;

CREATE OR REPLACE FUNCTION ${dedup_schema}.${dedup_table_prefix}dedup_drop_generation(g integer, cutoff timestamptz,
    lock_timeout_ms integer)
  RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    ended timestamptz;
    rules record;
    n_keys bigint;
  BEGIN
    PERFORM set_config('lock_timeout', lock_timeout_ms || 'ms', true);
    SELECT min(started_at) INTO ended FROM ${dedup_schema}.${dedup_table_prefix}dedup_generations
      WHERE generation > g;
    IF ended IS NULL OR ended >= cutoff
        OR NOT EXISTS (SELECT 1 FROM ${dedup_schema}.${dedup_table_prefix}dedup_generations WHERE generation = g) THEN
      RETURN false;
    END IF;
    IF NOT ${dedup_schema}.${dedup_table_prefix}dedup_caller_is_owner() THEN
      SELECT minimum_window, replay_horizon INTO rules
        FROM ${dedup_schema}.${dedup_table_prefix}dedup_retention_settings;
      IF ended > now() - rules.minimum_window THEN
        RAISE EXCEPTION 'kafka-dedup: generation % ended at %, less than minimum_window (%) ago: its claims are kept (setting minimum_window in %.%dedup_retention_settings, changed by the owner role only)',
          g, ended, rules.minimum_window, '${dedup_schema}', '${dedup_table_prefix}'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF ended > now() - rules.replay_horizon THEN
        RAISE EXCEPTION 'kafka-dedup: generation % ended at %, less than replay_horizon (%) ago: a replay of the topics may still need its claims (setting replay_horizon in %.%dedup_retention_settings, changed by the owner role only)',
          g, ended, rules.replay_horizon, '${dedup_schema}', '${dedup_table_prefix}'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
    END IF;
    EXECUTE format('SELECT count(*) FROM %I.%I', '${dedup_schema}', CASE WHEN g = 0
      THEN '${dedup_table_prefix}processed_messages' ELSE '${dedup_table_prefix}claims_g' || g END) INTO n_keys;
    -- every drop is audited in its own transaction: who (the caller, and kafka_dedup.operator if the session set
    -- it), why (kafka_dedup.reason, else the cutoff), which generation, how many keys
    INSERT INTO ${dedup_schema}.${dedup_table_prefix}dedup_audit (db_user, operator, action, reason,
        removed_generation, keys)
      VALUES (${dedup_schema}.${dedup_table_prefix}dedup_caller(),
        nullif(current_setting('kafka_dedup.operator', true), ''), 'retention-drop',
        coalesce(nullif(trim(current_setting('kafka_dedup.reason', true)), ''),
          format('retention: generation %s ended %s, before the cutoff %s', g, ended, cutoff)),
        g, n_keys);
    IF g = 0 THEN
      EXECUTE format('TRUNCATE %I.%I', '${dedup_schema}', '${dedup_table_prefix}processed_messages');
    ELSE
      EXECUTE format('DROP TABLE IF EXISTS %I.%I', '${dedup_schema}', '${dedup_table_prefix}claims_g' || g);
    END IF;
    DELETE FROM ${dedup_schema}.${dedup_table_prefix}dedup_generations WHERE generation = g;
    RETURN true;
  END
  $$;

REVOKE EXECUTE ON FUNCTION ${dedup_schema}.${dedup_table_prefix}dedup_caller() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${dedup_schema}.${dedup_table_prefix}dedup_caller_is_owner() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${dedup_schema}.${dedup_table_prefix}dedup_retention_floor() FROM PUBLIC;
-- [jooq ignore stop]

ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit ADD COLUMN keys bigint;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit
  DROP CONSTRAINT ${dedup_table_prefix}dedup_audit_action_ck;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dedup_audit
  ADD CONSTRAINT ${dedup_table_prefix}dedup_audit_action_ck
  CHECK (action IN ('forget', 'dead-letter-replay', 'dead-letter-discard', 'dead-letter-superseded',
                    'retention-drop'));

COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}dedup_audit.keys IS
  'For retention-drop: the claims the dropped generation held (removed_generation names it).';

ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters
  DROP CONSTRAINT ${dedup_table_prefix}dead_letters_state_ck;
ALTER TABLE ${dedup_schema}.${dedup_table_prefix}dead_letters
  ADD CONSTRAINT ${dedup_table_prefix}dead_letters_state_ck
  CHECK (state IN ('pending', 'published', 'held', 'replayed', 'discarded', 'superseded'));

CREATE TABLE ${dedup_schema}.${dedup_table_prefix}outbox_topics_set_aside (
  topic      text        NOT NULL,
  since      timestamptz NOT NULL,
  checked_at timestamptz NOT NULL DEFAULT now(),
  reason     text        NOT NULL,
  relay      text        NOT NULL,
  CONSTRAINT ${dedup_table_prefix}outbox_topics_set_aside_pk PRIMARY KEY (topic)
);

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}outbox_topics_set_aside IS
  'kafka-dedup: topics of outbox rows that the relay cannot write (the topic does not exist, or the relay is not authorised): their rows wait in the outbox while other topics'' rows go on; a row here is removed when its topic can be written.';

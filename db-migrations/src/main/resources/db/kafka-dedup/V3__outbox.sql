-- kafka-dedup V3: the transactional outbox (issue 14).
--
-- A handler's outgoing Kafka records, written in the same transaction as the claim and the business
-- writes, published by the relay (io.github.kafkadedup.outbox.OutboxRelay) and then deleted. V2 is the
-- claim storage's migration; Flyway applies the versions in order and accepts either being absent.
--
-- Placeholders as in V1 (validated by DedupSchema): dedup_schema, dedup_table_prefix.
--
-- Design (docs/outbox.md has the measurements):
-- * id: an identity, assigned at INSERT; the relay publishes in id order within a lane, so the records
--   of one (topic, key), written by one transaction after the other, keep their order.
-- * lane: hash of (topic, key) modulo the lane count, computed by the writer. A relay owns a lane
--   through a session-level advisory lock, so one lane is published by one relay at a time.
-- * record_key, record_value, headers: the serialized bytes, as the producer will send them (the
--   serializers run in the writer, so a record that cannot be serialized rolls the transaction back).
--   headers uses the library's own length-prefixed encoding; NULL key or value is Kafka's null.
-- * Cleanup: the relay deletes the rows it published by id, in its own statement; the table is a queue
--   that is nearly empty in steady state, so the only primary-key index stays a few pages and deleted
--   rows are vacuumed early (the storage parameters below make autovacuum visit it after 10,000 dead
--   rows instead of 20 % of the table).

CREATE TABLE ${dedup_schema}.${dedup_table_prefix}outbox (
  id           bigint      GENERATED ALWAYS AS IDENTITY,
  lane         integer     NOT NULL,
  topic        text        NOT NULL,
  record_key   bytea,
  record_value bytea,
  headers      bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ${dedup_table_prefix}outbox_pk PRIMARY KEY (id),
  CONSTRAINT ${dedup_table_prefix}outbox_lane_ck CHECK (lane >= 0 AND lane < 1024),
  CONSTRAINT ${dedup_table_prefix}outbox_topic_ck CHECK (octet_length(topic) BETWEEN 1 AND 249)
)
-- [jooq ignore start]
WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000)
-- [jooq ignore stop]
;

COMMENT ON TABLE ${dedup_schema}.${dedup_table_prefix}outbox IS
  'kafka-dedup: outgoing Kafka records written in the sender''s transaction; the relay publishes them in id order per lane and deletes them.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}outbox.id IS
  'Insert order (identity). The relay publishes a lane''s rows in id order.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}outbox.lane IS
  'Hash of (topic, key) modulo the lane count: the unit a relay owns (advisory lock) and publishes in order.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}outbox.topic IS
  'The Kafka topic to publish to.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}outbox.record_key IS
  'The serialized record key (NULL: no key).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}outbox.record_value IS
  'The serialized record value (NULL: a tombstone).';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}outbox.headers IS
  'The record headers, length-prefixed (kafka-dedup encoding), including the idempotency-key header.';
COMMENT ON COLUMN ${dedup_schema}.${dedup_table_prefix}outbox.created_at IS
  'When the sending transaction started; the relay reports the age of the oldest row.';

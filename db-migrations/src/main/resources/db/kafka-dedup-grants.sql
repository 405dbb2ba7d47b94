-- kafka-dedup: the runtime role's rights on the tables (see kafka-dedup-roles.sql). Run with psql as
-- kafka_dedup_owner after the migrations, and again after each kafka-dedup version that adds a table
-- (GRANT is idempotent). Only the library's tables, not the history table. Names as in kafka-dedup-roles.sql.
GRANT SELECT, INSERT, UPDATE, DELETE
  ON kafka_dedup.processed_messages, kafka_dedup.consumer_offsets, kafka_dedup.outbox
  TO kafka_dedup_app;

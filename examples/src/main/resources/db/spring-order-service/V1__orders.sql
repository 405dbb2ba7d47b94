-- The Spring order service's own tables, migrated by Spring Boot's Flyway (spring.flyway.*, history in public).
-- kafka-dedup's tables are migrated apart by dedup.migrations.enabled, into schema kafka_dedup.
CREATE TABLE orders (
  order_id     text        PRIMARY KEY,
  customer_id  text        NOT NULL,
  amount_cents bigint      NOT NULL CHECK (amount_cents > 0),
  placed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customer_totals (
  customer_id  text   PRIMARY KEY,
  total_cents  bigint NOT NULL
);

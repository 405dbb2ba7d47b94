-- The plain order service's own tables (its own Flyway history: flyway_schema_history in public).
-- kafka-dedup's tables live apart, in schema kafka_dedup, with their own history.
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

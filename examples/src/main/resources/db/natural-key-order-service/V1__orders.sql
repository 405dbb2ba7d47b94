-- The natural-key order service's own tables (its own Flyway history: flyway_schema_history in public).
-- order_id is the business row's natural unique key: the arbiter that makes a re-sent order a no-op.
CREATE TABLE orders (
  order_id     text        PRIMARY KEY,
  customer_id  text        NOT NULL,
  amount_cents bigint      NOT NULL CHECK (amount_cents > 0),
  placed_at    timestamptz NOT NULL DEFAULT now()
);

-- derived from orders: changed only for orders the insert above actually inserted
CREATE TABLE customer_totals (
  customer_id  text   PRIMARY KEY,
  total_cents  bigint NOT NULL
);

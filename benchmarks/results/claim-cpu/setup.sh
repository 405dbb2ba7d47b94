#!/bin/bash
# Creates the database i13_cpu on a local PostgreSQL (psql as user postgres on 127.0.0.1:5432) with
# migrations V1 and V2 (schema public, no prefix), partitions ahead, one scope and business_events.
set -e
MIG=$(dirname "$0")/../../../db-migrations/src/main/resources/db/kafka-dedup
P="psql -h 127.0.0.1 -U postgres -q"
$P -d postgres -c "DROP DATABASE IF EXISTS i13_cpu" -c "CREATE DATABASE i13_cpu" -c "ALTER DATABASE i13_cpu SET synchronous_commit=on"
for f in "$MIG"/V1__*.sql "$MIG"/V2__*.sql; do
  sed -e 's/\${dedup_schema}/public/g' -e 's/\${dedup_table_prefix}//g' "$f" | $P -d i13_cpu -v ON_ERROR_STOP=1 >/dev/null
done
$P -d i13_cpu -c "SELECT public.dedup_prepare_generations(2, 5000)" -c "INSERT INTO dedup_scopes(scope) VALUES ('s1')" \
  -c "CREATE TABLE business_events (id bigserial PRIMARY KEY, order_id text NOT NULL, line integer NOT NULL, amount_cents bigint NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"

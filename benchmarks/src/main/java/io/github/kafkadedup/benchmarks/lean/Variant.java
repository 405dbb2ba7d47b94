package io.github.kafkadedup.benchmarks.lean;

import java.util.ArrayList;
import java.util.List;

/**
 * One shape of the claim table: how the key and scope are stored, whether the diagnostic columns
 * (topic, partition, offset, status) are kept, and which index serves retention on {@code processed_at}.
 */
enum Variant {
  /** No claim at all: the at-least-once baseline (only the business row, when there is one). */
  NONE("no claim (baseline)", KeyForm.NONE, false, TimeIndex.NONE),
  /** The claim-shaped row in a table without any index: the physical floor of writing it. */
  PLAIN_ROWS("claim-shaped row, no index, no conflict check (floor)", KeyForm.PLAIN, true, TimeIndex.NONE),
  /** The V1 table exactly as migrated (schema version 1), claimed with V1's statement ({@code V1Claims}). */
  V1("V1: PK (scope text, message_key text) + topic/partition/offset/status + BRIN(processed_at)",
      KeyForm.TEXT, true, TimeIndex.BRIN),
  /** V1 with the key columns in the "C" collation: byte-order comparisons, no locale library calls. */
  V1_COLLATE_C("V1 with scope and message_key COLLATE \"C\"", KeyForm.TEXT_C, true, TimeIndex.BRIN),
  /** V1 with a B-tree on processed_at instead of BRIN. */
  V1_BTREE("V1 with B-tree(processed_at) instead of BRIN", KeyForm.TEXT, true, TimeIndex.BTREE),
  /** V1 without any index on processed_at. */
  V1_NO_TIME_INDEX("V1 without an index on processed_at", KeyForm.TEXT, true, TimeIndex.NONE),
  /** V1's key, without the diagnostic columns. */
  TEXT_MINIMAL("PK (scope text, message_key text) + processed_at, BRIN; no diagnostics", KeyForm.TEXT, false,
      TimeIndex.BRIN),
  /** The scope as a smallint id. */
  SMALLINT_SCOPE("PK (scope_id smallint, message_key text) + diagnostics + BRIN", KeyForm.SMALLINT, true,
      TimeIndex.BRIN),
  /** A 16-byte digest of scope and key as a uuid primary key. */
  UUID_DIGEST("PK key_hash uuid (SHA-256 of scope+key, 16 bytes) + diagnostics + BRIN", KeyForm.UUID, true,
      TimeIndex.BRIN),
  /** The digest and the claim time only. */
  UUID_MINIMAL("PK key_hash uuid + processed_at, BRIN; no diagnostics", KeyForm.UUID, false, TimeIndex.BRIN),
  /** The digest only, not even a retention index. */
  UUID_ONLY("PK key_hash uuid + processed_at, no time index", KeyForm.UUID, false, TimeIndex.NONE);

  /** How the key is stored. */
  enum KeyForm { NONE, PLAIN, TEXT, TEXT_C, SMALLINT, UUID }

  /** The retention index on processed_at. */
  enum TimeIndex { NONE, BRIN, BTREE }

  static final String TABLE = "claims";

  final String description;
  final KeyForm keyForm;
  final boolean diagnostics;
  final TimeIndex timeIndex;

  Variant(String description, KeyForm keyForm, boolean diagnostics, TimeIndex timeIndex) {
    this.description = description;
    this.keyForm = keyForm;
    this.diagnostics = diagnostics;
    this.timeIndex = timeIndex;
  }

  /** Statements that create the claim table (none for {@link #NONE} and {@link #V1}, which is migrated). */
  List<String> ddl() {
    if (this == NONE || this == V1) {
      return List.of();
    }
    List<String> columns = new ArrayList<>();
    String pk = switch (keyForm) {
      case PLAIN -> {
        columns.add("message_key text NOT NULL");
        yield null;
      }
      case TEXT -> {
        columns.add("scope text NOT NULL");
        columns.add("message_key text NOT NULL");
        yield "scope, message_key";
      }
      case TEXT_C -> {
        columns.add("scope text COLLATE \"C\" NOT NULL");
        columns.add("message_key text COLLATE \"C\" NOT NULL");
        yield "scope, message_key";
      }
      case SMALLINT -> {
        columns.add("scope_id smallint NOT NULL");
        columns.add("message_key text NOT NULL");
        yield "scope_id, message_key";
      }
      case UUID -> {
        columns.add("key_hash uuid NOT NULL");
        yield "key_hash";
      }
      case NONE -> throw new IllegalStateException();
    };
    if (diagnostics) {
      columns.addAll(List.of("topic text NOT NULL", "kafka_partition integer NOT NULL",
          "kafka_offset bigint NOT NULL"));
      if (keyForm != KeyForm.PLAIN) {
        columns.add("status char(1) NOT NULL DEFAULT 'P'");
      }
    }
    if (keyForm != KeyForm.PLAIN) {
      columns.add("processed_at timestamptz NOT NULL DEFAULT now()");
    }
    if (pk != null) {
      columns.add("PRIMARY KEY (" + pk + ")");
    }
    List<String> ddl = new ArrayList<>();
    ddl.add("CREATE TABLE " + TABLE + " (" + String.join(", ", columns) + ") WITH (fillfactor = 100)");
    switch (timeIndex) {
      case BRIN -> ddl.add("CREATE INDEX ON " + TABLE + " USING brin (processed_at)");
      case BTREE -> ddl.add("CREATE INDEX ON " + TABLE + " (processed_at)");
      case NONE -> { }
    }
    return ddl;
  }

  /** The claim statement; parameters: scope (text or smallint, absent for digests), then the arrays. */
  String claimSql() {
    String arrays = diagnostics ? ", ?::text[], ?::int4[], ?::int8[]) AS u(k, t, p, o)" : ") AS u(k)";
    String values = diagnostics ? ", u.t, u.p, u.o" : "";
    String diagColumns = diagnostics ? ", topic, kafka_partition, kafka_offset" : "";
    return switch (keyForm) {
      case PLAIN -> "INSERT INTO " + TABLE + " (message_key" + diagColumns + ") SELECT u.k" + values
          + " FROM unnest(?::text[]" + arrays;
      case TEXT, TEXT_C -> "INSERT INTO " + TABLE + " (scope, message_key" + diagColumns + ") SELECT ?, u.k" + values
          + " FROM unnest(?::text[]" + arrays + " ON CONFLICT DO NOTHING RETURNING message_key";
      case SMALLINT -> "INSERT INTO " + TABLE + " (scope_id, message_key" + diagColumns + ") SELECT ?, u.k"
          + values + " FROM unnest(?::text[]" + arrays + " ON CONFLICT DO NOTHING RETURNING message_key";
      case UUID -> "INSERT INTO " + TABLE + " (key_hash" + diagColumns + ") SELECT u.k" + values
          + " FROM unnest(?::uuid[]" + arrays + " ON CONFLICT DO NOTHING RETURNING key_hash";
      case NONE -> throw new IllegalStateException("no claim in " + this);
    };
  }
}

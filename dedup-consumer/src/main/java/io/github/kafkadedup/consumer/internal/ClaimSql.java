package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.migrations.DedupSchema;

/**
 * Every statement of the claim path in one place (schema version 2), for {@link PostgresClaimStore} and
 * for benchmarks that want the exact SQL the engine sends.
 *
 * <p>Each statement that writes claims starts with {@link #lock()}, a separate statement in the same
 * round trip (pgjdbc sends {@code "a; b"} as two queries before one Sync). In READ COMMITTED each
 * statement takes its own snapshot, so the claim's snapshot is taken after the shared advisory lock is
 * held: a generation switch ({@code dedup_switch_generation}, which takes the lock exclusively) has
 * either committed before it, and the claim reads the new generation, or waits until this transaction
 * ends. So a key is never claimed in two generations.
 *
 * <p>Parameters are written into the text by name (<code>{SCOPE_ID}</code>, a {@link ClaimStatement.Param}) and
 * become {@code ?} in the text sent, so a statement and its binding ({@link ClaimStatement#bind}) share one order.
 * {@link #claim(boolean)} returns rows {@code key_id, fresh, kafka_partition, kafka_offset, status, generation}:
 * one per fresh key, one per earlier claim of a duplicate that the statement's snapshot sees (a key claimed by a
 * transaction that committed after it started is neither: look it up with {@link #lookup(boolean)}).
 *
 * <p>The claim's shape is chosen for its server cost (benchmarks/RESULTS.md, section 5c) and so that
 * its plan does not depend on statistics: pgjdbc makes it a server-side prepared statement, and PostgreSQL
 * then runs a generic plan made once per connection, with 10 rows assumed for each {@code unnest} and
 * whatever statistics the partitions had then (none on a new generation). So every probe of a key is a
 * {@code LATERAL} subquery kept from being flattened ({@code OFFSET 0}), i.e. an index lookup per key
 * whatever the estimates (a flattened join may scan a whole generation per batch); anti-joins are
 * {@code NOT IN} over the statement's own small results (hashed subplans); the current generation is
 * probed only for the keys the insert did not claim, so a fresh key costs the insert and the probe of
 * the older generations, and a duplicate costs no more than a fresh key.
 */
public final class ClaimSql {
  private final DedupSchema schema;
  private final ClaimStatement claim;
  private final ClaimStatement claimWithLegacy;
  private final ClaimStatement lookup;
  private final ClaimStatement lookupWithLegacy;
  private final ClaimStatement mark;

  /** @param schema where the tables are */
  public ClaimSql(DedupSchema schema) {
    this.schema = schema;
    this.claim = ClaimStatement.of(claimText(false));
    this.claimWithLegacy = ClaimStatement.of(claimText(true));
    this.lookup = ClaimStatement.of(lookupText(false));
    this.lookupWithLegacy = ClaimStatement.of(lookupText(true));
    this.mark = ClaimStatement.of(markText());
  }

  /** The shared advisory lock every claiming transaction holds (key: the claim table's name). */
  public String lock() {
    return "SELECT pg_advisory_xact_lock_shared(hashtext('kafka-dedup'), hashtext('" + schema.claims() + "'))";
  }

  /**
   * Claim of a batch: insert into the current generation ({@code ON CONFLICT DO NOTHING} is the arbiter),
   * probe of the older live generations (and, with {@code legacy}, of the V1 table by text key), and the
   * first claim of every duplicate, in one round trip.
   *
   * @param legacy whether V1's {@code processed_messages} is a live generation 0 to probe
   */
  public ClaimStatement claim(boolean legacy) {
    return legacy ? claimWithLegacy : claim;
  }

  private String claimText(boolean legacy) {
    String claims = schema.claims();
    String input = legacy
        ? "unnest({KEY_IDS}::uuid[], {PARTITIONS}::int4[], {OFFSETS}::int8[], {KEY_TEXTS}::text[]) AS u(k, p, o, t)"
        : "unnest({KEY_IDS}::uuid[], {PARTITIONS}::int4[], {OFFSETS}::int8[]) AS u(k, p, o)";
    String legacyProbe = legacy
        ? " UNION ALL SELECT i.k, l.* FROM input i CROSS JOIN LATERAL (SELECT l.kafka_partition, l.kafka_offset,"
            + " l.status::\"char\", 0 FROM " + schema.processedMessages() + " l"
            + " WHERE l.scope = {SCOPE} AND l.message_key = i.t OFFSET 0) l"
        : "";
    return lock() + ";\n"
        + "WITH g AS (SELECT max(generation) AS cur FROM " + schema.generations() + "),"
        + " input AS (SELECT * FROM " + input + "),"
        + " older AS MATERIALIZED (SELECT i.k AS key_id, c.* FROM input i CROSS JOIN LATERAL (" + probe("<")
        + ") c" + legacyProbe + "),"
        + " fresh AS (INSERT INTO " + claims + " (scope_id, generation, kafka_offset, key_id, kafka_partition, status)"
        + " SELECT {SCOPE_ID}, (SELECT cur FROM g), i.o, i.k, i.p, {STATUS}::\"char\" FROM input i"
        + " WHERE i.k NOT IN (SELECT key_id FROM older) ORDER BY i.k"
        + " ON CONFLICT DO NOTHING RETURNING key_id)"
        + " SELECT key_id, true AS fresh, NULL::int4, NULL::int8, NULL::\"char\", NULL::int4 FROM fresh"
        + " UNION ALL SELECT key_id, false, kafka_partition, kafka_offset, status, generation FROM older"
        + " UNION ALL SELECT i.k, false, c.* FROM input i CROSS JOIN LATERAL (" + probe("=") + ") c"
        + " WHERE i.k NOT IN (SELECT key_id FROM fresh) AND i.k NOT IN (SELECT key_id FROM older)";
  }

  /**
   * One key's claims in the generations {@code op} the current one: a lookup of the primary key per key
   * ({@code OFFSET 0} keeps the planner from turning it into a join).
   */
  private String probe(String op) {
    return "SELECT c.kafka_partition, c.kafka_offset, c.status, c.generation FROM " + schema.claims() + " c"
        + " WHERE c.scope_id = {SCOPE_ID} AND c.key_id = i.k AND c.generation " + op + " (SELECT cur FROM g) OFFSET 0";
  }

  /**
   * Every stored claim of some keys, in any generation: the scope's claims of {@code KEY_IDS} and, with
   * {@code legacy}, V1's rows of the scope's text keys ({@code KEY_TEXTS} with their ids, {@code KEY_IDS},
   * aligned). Rows as {@link #claim(boolean)}'s duplicates.
   *
   * @param legacy whether V1's {@code processed_messages} is a live generation 0 to probe
   */
  public ClaimStatement lookup(boolean legacy) {
    return legacy ? lookupWithLegacy : lookup;
  }

  private String lookupText(boolean legacy) {
    String sql = "SELECT key_id, false, kafka_partition, kafka_offset, status, generation FROM " + schema.claims()
        + " WHERE scope_id = {SCOPE_ID} AND key_id = ANY({KEY_IDS}::uuid[])";
    if (legacy) {
      sql += " UNION ALL SELECT u.k, false, l.kafka_partition, l.kafka_offset, l.status::\"char\", 0 FROM "
          + schema.processedMessages() + " l JOIN unnest({KEY_TEXTS}::text[], {KEY_IDS}::uuid[]) AS u(t, k)"
          + " ON l.scope = {SCOPE} AND l.message_key = u.t";
    }
    return sql;
  }

  /**
   * Sets the status, partition and offset of a key's claim wherever it is, or claims it in the current
   * generation if no generation of {@code claims} holds it.
   */
  public ClaimStatement mark() {
    return mark;
  }

  private String markText() {
    String claims = schema.claims();
    return lock() + ";\n"
        + "WITH g AS (SELECT max(generation) AS cur FROM " + schema.generations() + "),"
        + " upd AS (UPDATE " + claims + " c SET status = {STATUS}::\"char\", kafka_partition = {PARTITION},"
        + " kafka_offset = {OFFSET} WHERE c.scope_id = {SCOPE_ID} AND c.key_id = {KEY_ID} RETURNING 1)"
        + " INSERT INTO " + claims + " (scope_id, generation, kafka_offset, key_id, kafka_partition, status)"
        + " SELECT {SCOPE_ID}, g.cur, {OFFSET}, {KEY_ID}, {PARTITION}, {STATUS}::\"char\" FROM g"
        + " WHERE NOT EXISTS (SELECT 1 FROM upd)"
        + " ON CONFLICT (scope_id, key_id, generation) DO UPDATE SET status = EXCLUDED.status,"
        + " kafka_partition = EXCLUDED.kafka_partition, kafka_offset = EXCLUDED.kafka_offset";
  }

  /** The id of a scope (parameter: the scope); no row if it is not registered (or not yet committed). */
  public String scopeId() {
    return KeyLookupSql.scopeId(schema);
  }

  /** Registers a scope; returns its new id, or no row if it exists (parameter: the scope). */
  public String registerScope() {
    return "INSERT INTO " + schema.scopes() + " (scope) VALUES (?) ON CONFLICT (scope) DO NOTHING RETURNING scope_id";
  }

  /** Whether V1's table is still a live generation 0 (one boolean). */
  public String legacyLive() {
    return "SELECT EXISTS (SELECT 1 FROM " + schema.generations() + " WHERE generation = 0)";
  }

  /** Where the tables are. */
  public DedupSchema schema() {
    return schema;
  }
}

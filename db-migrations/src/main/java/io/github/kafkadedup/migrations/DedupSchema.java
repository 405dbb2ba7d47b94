package io.github.kafkadedup.migrations;

import io.github.kafkadedup.migrations.jooq.Public;
import java.util.Set;
import java.util.regex.Pattern;
import org.jooq.Table;
import org.jooq.conf.MappedSchema;
import org.jooq.conf.MappedTable;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;

/**
 * Where kafka-dedup's tables live: a PostgreSQL schema and a prefix for the table names.
 *
 * <p>Both are checked here, before they reach any SQL: each must be a lower-case, unquoted SQL
 * identifier ({@code [a-z_][a-z0-9_]*}), so they can be spliced into statements and Flyway
 * placeholders without quoting and without any chance of SQL injection. The schema has at most 63
 * characters (PostgreSQL's identifier limit), is not a reserved word and does not start with
 * {@code pg_}; the prefix has at most 30 characters (so prefixed constraint and index names stay
 * within the limit) and may be empty.
 *
 * <pre>{@code
 * DedupSchema schema = DedupSchema.of("billing", "kd_");
 * schema.processedMessages();   // "billing.kd_processed_messages"
 * DSLContext ctx = DSL.using(connection, SQLDialect.POSTGRES, schema.jooqSettings());
 * }</pre>
 *
 * @param schema the PostgreSQL schema holding the tables, for example {@code public}
 * @param tablePrefix prepended to every table, constraint and index name; empty for none
 */
public record DedupSchema(String schema, String tablePrefix) {

  static final int MAX_SCHEMA_LENGTH = 63;
  static final int MAX_PREFIX_LENGTH = 30;
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final String GENERATED_SCHEMA = "public";

  /**
   * PostgreSQL's reserved key words (both "reserved" and "reserved, can be function or type"
   * columns of the key word appendix): none of them works as an unquoted schema name.
   */
  private static final Set<String> RESERVED = Set.of(
      "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
      "binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
      "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
      "current_schema", "current_time", "current_timestamp", "current_user", "default",
      "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
      "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "initially",
      "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left", "like",
      "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset", "on",
      "only", "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning",
      "right", "select", "session_user", "similar", "some", "symmetric", "system_user", "table",
      "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using",
      "variadic", "verbose", "when", "where", "window", "with");

  // declared after the constants the constructor's checks use (static initialisation order)

  /** Schema {@code public}, no table prefix. */
  public static final DedupSchema DEFAULT = new DedupSchema("public", "");

  /**
   * Checks both names.
   *
   * @throws IllegalArgumentException if {@code schema} or {@code tablePrefix} is null or not an
   *     allowed identifier; the message names the component and the rejected value
   */
  public DedupSchema {
    checkSchema(schema);
    checkPrefix(tablePrefix);
  }

  /**
   * The tables in {@code schema}, without a table prefix.
   *
   * @param schema the PostgreSQL schema, for example {@code billing}
   * @return the schema
   * @throws IllegalArgumentException if {@code schema} is not an allowed identifier
   */
  public static DedupSchema of(String schema) {
    return new DedupSchema(schema, "");
  }

  /**
   * The tables in {@code schema}, each name starting with {@code tablePrefix}.
   *
   * @param schema the PostgreSQL schema, for example {@code billing}
   * @param tablePrefix prepended to the table names, for example {@code kd_}; empty for none
   * @return the schema
   * @throws IllegalArgumentException if either is not an allowed identifier
   */
  public static DedupSchema of(String schema, String tablePrefix) {
    return new DedupSchema(schema, tablePrefix);
  }

  /**
   * The schema-qualified name of schema version 1's claim table, safe to splice into SQL. Since version 2
   * it is read-only (the legacy generation 0) and emptied by retention once it expired; new claims go to
   * {@link #claims()}.
   *
   * @return for example {@code public.processed_messages} or {@code billing.kd_processed_messages}
   */
  public String processedMessages() {
    return qualified("processed_messages");
  }

  /**
   * The schema-qualified name of the claim table of schema version 2 (partitioned by generation).
   *
   * @return for example {@code public.claims} or {@code billing.kd_claims}
   */
  public String claims() {
    return qualified("claims");
  }

  /**
   * The schema-qualified name of the scope registry ({@code scope} text to {@code scope_id}).
   *
   * @return for example {@code public.dedup_scopes}
   */
  public String scopes() {
    return qualified("dedup_scopes");
  }

  /**
   * The schema-qualified name of the generation registry.
   *
   * @return for example {@code public.dedup_generations}
   */
  public String generations() {
    return qualified("dedup_generations");
  }

  /**
   * The schema-qualified name of one of kafka-dedup's SQL functions, safe to splice into SQL.
   *
   * @param function the function's unprefixed name, for example {@code dedup_key_id}
   * @return for example {@code billing.kd_dedup_key_id}
   * @throws IllegalArgumentException if {@code function} is not a lower-case identifier
   */
  public String function(String function) {
    if (function == null || !IDENTIFIER.matcher(function).matches()) {
      throw new IllegalArgumentException("function must be a lower-case SQL identifier, but was '" + function + "'");
    }
    return qualified(function);
  }

  /**
   * The schema-qualified name of the offsets table, safe to splice into SQL.
   *
   * @return for example {@code public.consumer_offsets} or {@code billing.kd_consumer_offsets}
   */
  public String consumerOffsets() {
    return qualified("consumer_offsets");
  }

  /**
   * The schema-qualified name of the outbox table (migration V3), safe to splice into SQL.
   *
   * @return for example {@code public.outbox} or {@code billing.kd_outbox}
   */
  public String outbox() {
    return qualified("outbox");
  }

  /**
   * The schema-qualified name of the dead-letter table (migration V5), safe to splice into SQL.
   *
   * @return for example {@code public.dead_letters} or {@code billing.kd_dead_letters}
   */
  public String deadLetters() {
    return qualified("dead_letters");
  }

  /**
   * The schema-qualified name of the parked sequences table (migration V8), safe to splice into SQL.
   *
   * @return for example {@code public.parked_sequences} or {@code billing.kd_parked_sequences}
   */
  public String parkedSequences() {
    return qualified("parked_sequences");
  }

  /**
   * The schema-qualified name of the audit table of operator actions (migration V4), safe to splice into SQL.
   *
   * @return for example {@code public.dedup_audit} or {@code billing.kd_dedup_audit}
   */
  public String audit() {
    return qualified("dedup_audit");
  }

  /**
   * The schema-qualified name of the owner's retention rules (migration V6, one row), safe to splice into SQL.
   *
   * @return for example {@code public.dedup_retention_settings} or {@code billing.kd_dedup_retention_settings}
   */
  public String retentionSettings() {
    return qualified("dedup_retention_settings");
  }

  /**
   * The schema-qualified name of the outbox topics the relay set aside (migration V6: topics that do not exist
   * or may not be written), safe to splice into SQL.
   *
   * @return for example {@code public.outbox_topics_set_aside}
   */
  public String outboxTopicsSetAside() {
    return qualified("outbox_topics_set_aside");
  }

  /**
   * The schema-qualified name of the consumers' heartbeat table (migration V7), safe to splice into SQL.
   *
   * @return for example {@code public.dedup_heartbeats} or {@code billing.kd_dedup_heartbeats}
   */
  public String heartbeats() {
    return qualified("dedup_heartbeats");
  }

  /**
   * jOOQ settings that render the generated tables ({@code io.github.kafkadedup.migrations.jooq})
   * in this schema and with this prefix, for example {@code "billing"."kd_processed_messages"}.
   * Use them for the {@code DSLContext} that queries kafka-dedup's tables: {@code DSL.using(connection,
   * SQLDialect.POSTGRES, schema.jooqSettings())}. Each call returns a new, mutable instance.
   *
   * @return new settings holding only the render mapping
   */
  public Settings jooqSettings() {
    MappedSchema mapped = new MappedSchema().withInput(GENERATED_SCHEMA).withOutput(schema);
    for (Table<?> table : Public.PUBLIC.getTables()) {
      mapped.withTables(new MappedTable().withInput(table.getName())
          .withOutput(tablePrefix + table.getName()));
    }
    return new Settings().withRenderMapping(new RenderMapping().withSchemata(mapped));
  }

  private String qualified(String table) {
    return schema + "." + tablePrefix + table;
  }

  private static void checkSchema(String schema) {
    String rule = "schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most "
        + MAX_SCHEMA_LENGTH + " characters)";
    if (schema == null) {
      throw new IllegalArgumentException(rule + ", but was null");
    }
    if (schema.length() > MAX_SCHEMA_LENGTH || !IDENTIFIER.matcher(schema).matches()) {
      throw new IllegalArgumentException(rule + ", but was '" + schema + "'");
    }
    if (RESERVED.contains(schema)) {
      throw new IllegalArgumentException(
          "schema must not be a reserved SQL key word, but was '" + schema + "'");
    }
    if (schema.startsWith("pg_")) {
      throw new IllegalArgumentException(
          "schema must not start with pg_ (reserved for PostgreSQL's system schemas), but was '"
              + schema + "'");
    }
  }

  private static void checkPrefix(String prefix) {
    String rule = "tablePrefix must be empty or a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most "
        + MAX_PREFIX_LENGTH + " characters)";
    if (prefix == null) {
      throw new IllegalArgumentException(rule + ", but was null");
    }
    if (!prefix.isEmpty()
        && (prefix.length() > MAX_PREFIX_LENGTH || !IDENTIFIER.matcher(prefix).matches())) {
      throw new IllegalArgumentException(rule + ", but was '" + prefix + "'");
    }
  }
}

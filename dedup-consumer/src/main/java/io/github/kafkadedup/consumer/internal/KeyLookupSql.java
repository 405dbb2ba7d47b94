package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.migrations.DedupSchema;

/**
 * The statements that find one key in the store: its scope's id, its claims (in the generations of the claim table
 * and in V1's {@code processed_messages}) and its dead letters. Their one home, for {@link StoreInspection#lookup}
 * (the Actuator endpoint) and the CLI's {@code lookup} and {@code forget}, which print the columns by their
 * labels, so the labels are part of the CLI's output.
 */
public final class KeyLookupSql {
  private KeyLookupSql() {}

  /**
   * The id of a scope: one row, or none if no consumer registered it. Parameter: the scope.
   *
   * @param schema where the tables are
   * @return the statement
   */
  public static String scopeId(DedupSchema schema) {
    return "SELECT scope_id FROM " + schema.scopes() + " WHERE scope = ?";
  }

  /**
   * A key's claims in the claim table, each with its generation's start and end: columns {@code generation,
   * status, topic} (null), {@code partition, offset, generationStartedAt, generationEndedAt}. Parameters: the
   * scope's id, the key's id ({@code uuid}).
   *
   * @param schema where the tables are
   * @param delete whether the claims are deleted (and returned) rather than only read
   * @return the statement
   */
  public static String claims(DedupSchema schema, boolean delete) {
    String found = delete
        ? "DELETE FROM " + schema.claims() + " WHERE scope_id = ? AND key_id = ? RETURNING *"
        : "SELECT * FROM " + schema.claims() + " WHERE scope_id = ? AND key_id = ?";
    return "WITH found AS (" + found + ") SELECT f.generation, f.status::text AS status,"
        + " NULL::text AS topic, f.kafka_partition AS partition, f.kafka_offset AS offset,"
        + " g.started_at AS \"generationStartedAt\", (SELECT min(started_at) FROM " + schema.generations()
        + " n WHERE n.generation > f.generation) AS \"generationEndedAt\""
        + " FROM found f LEFT JOIN " + schema.generations() + " g ON g.generation = f.generation";
  }

  /**
   * A key's claim in V1's {@code processed_messages} (generation 0, while that table exists): the columns of
   * {@link #claims} and {@code claimedAt}. Parameters: the scope, the key's text.
   *
   * @param schema where the tables are
   * @param delete whether the claims are deleted (and returned) rather than only read
   * @return the statement
   */
  public static String legacyClaims(DedupSchema schema, boolean delete) {
    String legacy = schema.processedMessages();
    String found = delete
        ? "DELETE FROM " + legacy + " WHERE scope = ? AND message_key = ? RETURNING *"
        : "SELECT * FROM " + legacy + " WHERE scope = ? AND message_key = ?";
    return "WITH found AS (" + found + ") SELECT 0 AS generation, status::text AS status, topic,"
        + " kafka_partition AS partition, kafka_offset AS offset, NULL::timestamptz AS \"generationStartedAt\","
        + " (SELECT min(started_at) FROM " + schema.generations() + " WHERE generation > 0) AS \"generationEndedAt\","
        + " processed_at AS \"claimedAt\" FROM found";
  }

  /**
   * A key's dead letters in a scope (any state), newest first: columns {@code id, state, reason, createdAt, topic,
   * partition, offset, deadLetterTopic, publishedAt, exceptionClass, exceptionMessage, actionAt}. Parameters: the
   * scope, the key's id ({@code uuid}).
   *
   * @param schema where the tables are (the dead-letter table is schema version 5)
   * @return the statement
   */
  public static String deadLetters(DedupSchema schema) {
    return "SELECT id, state, reason, created_at AS \"createdAt\", source_topic AS topic,"
        + " source_partition AS partition, source_offset AS offset, dlt_topic AS \"deadLetterTopic\","
        + " published_at AS \"publishedAt\", exception_class AS \"exceptionClass\","
        + " exception_message AS \"exceptionMessage\", action_at AS \"actionAt\""
        + " FROM " + schema.deadLetters() + " WHERE scope = ? AND key_id = ? ORDER BY id DESC";
  }
}

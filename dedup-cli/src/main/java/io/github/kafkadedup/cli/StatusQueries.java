package io.github.kafkadedup.cli;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/** The database side of {@code status}'s "is it stuck?": heartbeats, offsets stored in PostgreSQL, scopes. */
final class StatusQueries {
  private StatusQueries() {}

  /** The consumers' heartbeat rows, newest first per scope, with their ages in seconds on the database clock. */
  static List<Map<String, @Nullable Object>> heartbeats(Tables t, List<String> notes) throws SQLException {
    if (!t.exists(t.heartbeats())) {
      notes.add("no heartbeats: table " + t.heartbeats() + " does not exist (schema version 7 adds it): the "
          + "consumers' last activity and STUCK are not shown");
      return new ArrayList<>();
    }
    if (!t.may(t.heartbeats(), "SELECT")) {
      notes.add("heartbeats not shown: role " + t.role() + " may not read them (GRANT SELECT ON " + t.heartbeats()
          + " TO " + t.role() + ")");
      return new ArrayList<>();
    }
    return Sql.rows(t.c, "SELECT scope, instance, group_id AS \"groupId\", member_id AS \"memberId\", host,"
        + " started_at AS \"startedAt\", seen_at AS \"seenAt\", progress_at AS \"progressAt\","
        + " stopped_at AS \"stoppedAt\", records,"
        + " extract(epoch FROM now() - started_at)::bigint AS \"startedAge\","
        + " extract(epoch FROM now() - seen_at)::bigint AS \"seenAge\","
        + " extract(epoch FROM now() - progress_at)::bigint AS \"progressAge\""
        + " FROM " + t.heartbeats() + " ORDER BY scope, seen_at DESC, instance");
  }

  /** The offsets stored in PostgreSQL (offsets-in-database mode), or an empty list. */
  static List<Map<String, @Nullable Object>> offsets(Tables t, List<String> notes) throws SQLException {
    if (!t.exists(t.offsets())) {
      return new ArrayList<>();
    }
    if (!t.may(t.offsets(), "SELECT")) {
      notes.add("offsets not shown: role " + t.role() + " may not read them (GRANT SELECT ON " + t.offsets()
          + " TO " + t.role() + ")");
      return new ArrayList<>();
    }
    return Sql.rows(t.c, "SELECT scope, topic, kafka_partition AS partition, next_offset AS \"nextOffset\","
        + " updated_at AS \"updatedAt\" FROM " + t.offsets() + " ORDER BY 1, 2, 3");
  }

  /**
   * Each scope (registered in dedup_scopes or heard in a heartbeat) and its Kafka group: the group id its
   * consumers' heartbeats name, else the scope itself (the scope is the group id unless configured otherwise).
   */
  static Map<String, String> groupsByScope(Tables t, List<Map<String, @Nullable Object>> heartbeats)
      throws SQLException {
    Map<String, String> groups = new TreeMap<>();
    for (Map<String, @Nullable Object> row : Sql.rows(t.c, "SELECT scope FROM " + t.scopes())) {
      groups.put((String) row.get("scope"), (String) row.get("scope"));
    }
    for (Map<String, @Nullable Object> beat : heartbeats) { // newest first: the first group named wins
      String scope = (String) beat.get("scope");
      String group = (String) beat.get("groupId");
      if (group != null && (!groups.containsKey(scope) || groups.get(scope).equals(scope))) {
        groups.put(scope, group);
      } else {
        groups.putIfAbsent(scope, scope);
      }
    }
    return groups;
  }

  static List<TopicPartition> partitions(List<Map<String, @Nullable Object>> offsets) {
    List<TopicPartition> out = new ArrayList<>();
    offsets.forEach(r -> out.add(new TopicPartition((String) r.get("topic"),
        ((Number) r.get("partition")).intValue())));
    return out;
  }
}

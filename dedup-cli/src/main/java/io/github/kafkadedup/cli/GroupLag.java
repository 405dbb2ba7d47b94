package io.github.kafkadedup.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/** Lag per partition and per scope, from Kafka's committed offsets or from the offsets stored in PostgreSQL. */
final class GroupLag {
  private static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private GroupLag() {}

  /**
   * One row per partition each group committed or is assigned, as kafka-consumer-groups.sh --describe prints
   * it: committed offset, end offset, lag, and the member, client and host that hold the partition.
   */
  static List<Map<String, @Nullable Object>> partitions(KafkaView kafka, Map<String, String> groupsByScope) {
    List<Map<String, @Nullable Object>> out = new ArrayList<>();
    for (String groupId : new TreeSet<>(groupsByScope.values())) {
      KafkaView.Group g = kafka.groups().get(groupId);
      if (g == null) {
        continue;
      }
      Set<TopicPartition> partitions = new TreeSet<>(ORDER);
      partitions.addAll(g.committed().keySet());
      g.members().forEach(m -> partitions.addAll(m.assigned()));
      for (TopicPartition tp : partitions) {
        Long committed = g.committed().get(tp);
        Long end = kafka.ends().get(tp);
        KafkaView.Member owner = g.owner(tp);
        Map<String, @Nullable Object> row = new LinkedHashMap<>();
        row.put("group", groupId);
        row.put("topic", tp.topic());
        row.put("partition", tp.partition());
        row.put("committedOffset", committed);
        row.put("endOffset", end);
        row.put("lag", committed == null || end == null ? null : Math.max(0, end - committed));
        row.put("memberId", owner == null ? null : owner.memberId());
        row.put("clientId", owner == null ? null : owner.clientId());
        row.put("host", owner == null ? null : owner.host());
        out.add(row);
      }
    }
    return out;
  }

  /** Adds {@code endOffset} and {@code lag} to each offset stored in PostgreSQL (null where Kafka was not read). */
  static void fillDatabaseLag(List<Map<String, @Nullable Object>> offsets, KafkaView kafka) {
    for (Map<String, @Nullable Object> r : offsets) {
      TopicPartition tp = new TopicPartition((String) r.get("topic"), ((Number) r.get("partition")).intValue());
      Long end = kafka.ends().get(tp);
      long next = ((Number) r.get("nextOffset")).longValue();
      r.put("endOffset", end);
      r.put("lag", end == null ? null : Math.max(0, end - Math.max(0, next)));
    }
  }

  /**
   * One verdict per scope. The lag of a scope whose offsets are stored in PostgreSQL is theirs (that mode's
   * truth); else its group's, from the offsets committed to Kafka.
   */
  static List<Map<String, @Nullable Object>> verdicts(Map<String, String> groupsByScope, KafkaView kafka,
      List<Map<String, @Nullable Object>> partitions, List<Map<String, @Nullable Object>> offsets,
      List<Map<String, @Nullable Object>> heartbeats, Verdicts.Thresholds thresholds) {
    List<Map<String, @Nullable Object>> out = new ArrayList<>();
    boolean read = kafka.given() && kafka.error() == null;
    groupsByScope.forEach((scope, group) -> {
      Long lag = sum(offsets.stream().filter(o -> scope.equals(o.get("scope"))).toList());
      if (lag == null) {
        lag = sum(partitions.stream().filter(p -> group.equals(p.get("group"))).toList());
      }
      KafkaView.Group g = kafka.groups().get(group);
      Integer members = !read ? null : g == null ? Integer.valueOf(0) : Integer.valueOf(g.members().size());
      List<Map<String, @Nullable Object>> beats = heartbeats.stream().filter(b -> scope.equals(b.get("scope")))
          .toList();
      out.add(Verdicts.of(scope, group, lag, members, beats, thresholds));
    });
    return out;
  }

  /** The sum of the rows' known lags; null if no row's lag is known. */
  private static @Nullable Long sum(List<Map<String, @Nullable Object>> rows) {
    Long total = null;
    for (Map<String, @Nullable Object> r : rows) {
      if (r.get("lag") != null) {
        total = (total == null ? 0 : total) + ((Number) r.get("lag")).longValue();
      }
    }
    return total;
  }
}

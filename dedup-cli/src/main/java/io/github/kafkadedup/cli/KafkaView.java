package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.jspecify.annotations.Nullable;

/**
 * What Kafka says about the consumer groups, read with one admin client as {@code kafka-consumer-groups.sh
 * --describe} does: each group's members (member id, client id, host, assigned partitions), its committed
 * offsets, and the end offsets (last stable offset, {@code read_committed}: what kafka-dedup's consumers read up
 * to) of those partitions and of any others asked for (offsets stored in PostgreSQL).
 *
 * @param error why Kafka could not be read (null: read, or not asked: {@code given} false)
 */
record KafkaView(boolean given, @Nullable String error, Map<String, Group> groups, Map<TopicPartition, Long> ends) {

  /** A group member, as the broker describes it. */
  record Member(String memberId, String clientId, String host, Set<TopicPartition> assigned) {}

  /** A group: its state, its members and its committed offsets (empty if it never committed). */
  record Group(String groupId, String state, List<Member> members, Map<TopicPartition, Long> committed) {
    /** The member holding {@code tp}, or null. */
    @Nullable Member owner(TopicPartition tp) {
      return members.stream().filter(m -> m.assigned().contains(tp)).findFirst().orElse(null);
    }
  }

  static KafkaView notGiven() {
    return new KafkaView(false, null, Map.of(), Map.of());
  }

  /** Reads the groups and end offsets; on a failure returns a view whose {@code error} says why. */
  static KafkaView read(@Nullable String bootstrap, int timeoutSeconds, Collection<String> groupIds,
      Collection<TopicPartition> alsoEnds, PrintWriter err) {
    if (bootstrap == null || bootstrap.isBlank()) {
      return notGiven();
    }
    Admin admin = null;
    try (Progress p = Progress.start(err, "reading consumer groups and end offsets from Kafka at " + bootstrap)) {
      admin = Admin.create(config(bootstrap, timeoutSeconds));
      Map<String, Group> groups = groups(admin, groupIds, timeoutSeconds);
      Set<TopicPartition> partitions = new HashSet<>(alsoEnds);
      groups.values().forEach(g -> {
        partitions.addAll(g.committed().keySet());
        g.members().forEach(m -> partitions.addAll(m.assigned()));
      });
      return new KafkaView(true, null, groups, ends(admin, partitions, timeoutSeconds));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new KafkaView(true, "interrupted", Map.of(), Map.of());
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      String why = e instanceof TimeoutException ? "no answer within " + timeoutSeconds + " s"
          : String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
      return new KafkaView(true, "cannot read Kafka at " + bootstrap + " (" + why + ")", Map.of(), Map.of());
    } finally {
      if (admin != null) {
        admin.close(Duration.ofSeconds(1)); // do not wait for calls to an unreachable broker
      }
    }
  }

  private static Map<String, Group> groups(Admin admin, Collection<String> groupIds, int timeoutSeconds)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, Group> out = new HashMap<>();
    if (groupIds.isEmpty()) {
      return out;
    }
    Map<String, KafkaFuture<ConsumerGroupDescription>> described = admin.describeConsumerGroups(groupIds)
        .describedGroups();
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    groupIds.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = admin.listConsumerGroupOffsets(specs)
        .all().get(timeoutSeconds, TimeUnit.SECONDS);
    for (String groupId : groupIds) {
      List<Member> members = new ArrayList<>();
      String state;
      try {
        ConsumerGroupDescription d = described.get(groupId).get(timeoutSeconds, TimeUnit.SECONDS);
        state = d.groupState().toString();
        for (MemberDescription m : d.members()) {
          members.add(new Member(m.consumerId(), m.clientId(), m.host().replaceFirst("^/", ""),
              Set.copyOf(m.assignment().topicPartitions())));
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof GroupIdNotFoundException)) {
          throw e;
        }
        state = "NOT FOUND";
      }
      Map<TopicPartition, Long> offsets = new HashMap<>();
      committed.getOrDefault(groupId, Map.of()).forEach((tp, o) -> {
        if (o != null) {
          offsets.put(tp, o.offset());
        }
      });
      out.put(groupId, new Group(groupId, state, List.copyOf(members), offsets));
    }
    return out;
  }

  private static Map<TopicPartition, Long> ends(Admin admin, Set<TopicPartition> partitions, int timeoutSeconds)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new HashMap<>();
    if (specs.isEmpty()) {
      return out;
    }
    Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(specs,
        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(timeoutSeconds, TimeUnit.SECONDS);
    ends.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private static Properties config(String bootstrap, int timeoutSeconds) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-dedup-cli");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(timeoutSeconds * 1000));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeoutSeconds * 1000));
    return p;
  }
}

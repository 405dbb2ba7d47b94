package io.github.kafkadedup.cli;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer groups that read a topic (they have committed offsets on it): a replay to the source topic reaches
 * every one of them, not only the scope that dead-lettered the record.
 */
final class TopicReaders {
  private TopicReaders() {}

  /**
   * The groups with committed offsets on each of {@code topics}.
   *
   * @return topic to its readers' group ids, sorted
   * @throws Exception if Kafka cannot be asked within {@code timeoutSeconds}
   */
  static Map<String, Set<String>> of(String bootstrap, Collection<String> topics, int timeoutSeconds)
      throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-dedup-cli");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeoutSeconds * 1000));
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(timeoutSeconds * 1000));
    Map<String, Set<String>> readers = new TreeMap<>();
    topics.forEach(t -> readers.put(t, new TreeSet<>()));
    try (Admin admin = Admin.create(p)) {
      Collection<GroupListing> groups = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all()
          .get(timeoutSeconds, TimeUnit.SECONDS);
      if (groups.isEmpty()) {
        return readers;
      }
      Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
      groups.forEach(g -> specs.put(g.groupId(), new ListConsumerGroupOffsetsSpec()));
      Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = admin.listConsumerGroupOffsets(specs).all()
          .get(timeoutSeconds, TimeUnit.SECONDS);
      offsets.forEach((group, partitions) -> partitions.keySet().forEach(tp -> {
        Set<String> set = readers.get(tp.topic());
        if (set != null) {
          set.add(group);
        }
      }));
    }
    return readers;
  }
}

package io.github.kafkadedup.retention;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.jspecify.annotations.Nullable;

/**
 * How far back the subscribed topics can still be replayed, read with the Admin client: each topic's
 * {@code retention.ms} and the timestamp of the earliest record still in each partition.
 *
 * @param retentionMs {@code retention.ms} per topic ({@code -1}: kept forever, also for a compacted topic
 *     without {@code cleanup.policy=delete}, whose latest record per key stays forever)
 * @param oldestRecord timestamp of the oldest record still in any partition, or {@code null} if all are empty
 */
public record ReplayHorizon(Map<String, Long> retentionMs, @Nullable Instant oldestRecord) {
  private static final long TIMEOUT_SECONDS = 30;

  /** Copies the map. */
  public ReplayHorizon {
    retentionMs = Map.copyOf(retentionMs);
  }

  /**
   * Reads the horizon of {@code topics}.
   *
   * @throws IllegalStateException naming the topic or call that failed
   */
  public static ReplayHorizon read(Admin admin, Collection<String> topics) {
    Map<String, Long> retention = retentionMs(admin, topics);
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    Map<String, TopicDescription> described = get(admin.describeTopics(topics).allTopicNames(), "describeTopics");
    described.values().forEach(d -> d.partitions().forEach(p ->
        specs.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.forTimestamp(0))));
    // forTimestamp(0): the first record with a timestamp >= 0 and its timestamp (earliest() has none)
    Map<TopicPartition, ListOffsetsResultInfo> found = get(admin.listOffsets(specs).all(), "listOffsets");
    Instant oldest = null;
    for (ListOffsetsResultInfo info : found.values()) {
      if (info.offset() >= 0 && info.timestamp() >= 0) {
        Instant at = Instant.ofEpochMilli(info.timestamp());
        oldest = oldest == null || at.isBefore(oldest) ? at : oldest;
      }
    }
    return new ReplayHorizon(retention, oldest);
  }

  private static Map<String, Long> retentionMs(Admin admin, Collection<String> topics) {
    List<ConfigResource> resources = topics.stream()
        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs = get(admin.describeConfigs(resources).all(), "describeConfigs");
    Map<String, Long> out = new LinkedHashMap<>();
    configs.forEach((resource, config) -> {
      ConfigEntry entry = config.get(TopicConfig.RETENTION_MS_CONFIG);
      ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
      boolean deletes = policy == null || policy.value() == null
          || policy.value().contains(TopicConfig.CLEANUP_POLICY_DELETE);
      boolean known = entry != null && entry.value() != null;
      // unknown retention counts as "forever": the job must never guess in the deleting direction
      out.put(resource.name(), deletes && known ? Long.parseLong(entry.value()) : -1L);
    });
    return out;
  }

  /**
   * The instant before which no record of the topics can be replayed: the earlier of the oldest record
   * and {@code now - retention.ms} of the longest-kept topic; {@link Instant#MIN} when a topic keeps
   * records forever.
   */
  public Instant replayableSince(Instant now) {
    Instant since = oldestRecord != null ? oldestRecord : now;
    for (long ms : retentionMs.values()) {
      if (ms < 0) {
        return Instant.MIN;
      }
      Instant byRetention = now.minus(Duration.ofMillis(ms));
      since = byRetention.isBefore(since) ? byRetention : since;
    }
    return since;
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String call) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during Admin " + call, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Admin " + call + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Admin " + call + " took longer than " + TIMEOUT_SECONDS + " s", e);
    }
  }
}

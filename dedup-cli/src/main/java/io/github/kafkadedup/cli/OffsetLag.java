package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The lag of the offsets stored in PostgreSQL: the partition's last stable offset (read_committed, what
 * kafka-dedup's consumers read up to) minus the stored next offset.
 */
final class OffsetLag {
  private OffsetLag() {}

  /**
   * Adds {@code endOffset} and {@code lag} to each row; returns false if Kafka was given but could not be
   * read (the rows then say null and a note says why).
   */
  static boolean fill(List<Map<String, @Nullable Object>> rows, @Nullable String bootstrap, int timeoutSeconds,
      PrintWriter err, List<String> notes) {
    rows.forEach(r -> {
      r.put("endOffset", null);
      r.put("lag", null);
    });
    if (bootstrap == null || bootstrap.isBlank()) {
      notes.add("lag not shown: give --bootstrap-servers (or DEDUP_KAFKA_BOOTSTRAP) to compare the stored offsets "
          + "with the topics' end offsets");
      return true;
    }
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    rows.forEach(r -> specs.put(partition(r), OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResultInfo> ends;
    Admin admin = null;
    try (Progress p = Progress.start(err, "reading end offsets from Kafka at " + bootstrap)) {
      admin = Admin.create(config(bootstrap, timeoutSeconds));
      ends = admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      notes.add("lag unknown: interrupted");
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      String why = e instanceof TimeoutException ? "no answer within " + timeoutSeconds + " s"
          : String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
      notes.add("lag unknown: cannot read end offsets from Kafka at " + bootstrap + " (" + why + ")");
      return false;
    } finally {
      if (admin != null) {
        admin.close(Duration.ofSeconds(1)); // do not wait for calls to an unreachable broker
      }
    }
    for (Map<String, @Nullable Object> r : rows) {
      ListOffsetsResultInfo end = ends.get(partition(r));
      if (end != null) {
        long next = ((Number) r.get("nextOffset")).longValue();
        r.put("endOffset", end.offset());
        r.put("lag", Math.max(0, end.offset() - next));
      }
    }
    return true;
  }

  private static TopicPartition partition(Map<String, @Nullable Object> row) {
    return new TopicPartition((String) row.get("topic"), ((Number) row.get("partition")).intValue());
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

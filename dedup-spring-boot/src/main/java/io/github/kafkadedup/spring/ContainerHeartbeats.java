package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.internal.Heartbeat;
import io.github.kafkadedup.migrations.DedupSchema;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The heartbeats of one listener container ({@code dedup_heartbeats}, what {@code kafka-dedup status} shows per
 * consumer instance): the engine's {@link Heartbeat}, one per consumer thread, because a concurrent container
 * runs the same listener on several threads, each its own consumer and so its own instance. Each is written on
 * its own thread, as the engine writes its own: {@link #polled} when a poll is delivered and when the container
 * is idle ({@code idleEventInterval}), {@link #progressed} after a committed poll, {@link #stopped} when the
 * consumer thread ends.
 */
final class ContainerHeartbeats {
  private final DataSource dataSource;
  private final DedupSchema schema;
  private final String scope;
  private final @Nullable String groupId;
  private final Duration interval;
  private final ThreadLocal<@Nullable Beat> beats = new ThreadLocal<>();

  ContainerHeartbeats(DataSource dataSource, DedupSchema schema, String scope, @Nullable String groupId,
      Duration interval) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.scope = scope;
    this.groupId = groupId;
    this.interval = interval;
  }

  /**
   * The heartbeats of {@code container}; if it has no {@code idleEventInterval}, sets it to {@code interval}, so
   * that an idle consumer thread still writes its row (spring-kafka calls {@code onIdleContainer} on that thread
   * once per idle interval).
   *
   * @param interval a positive interval
   */
  static ContainerHeartbeats of(MessageListenerContainer container, DataSource dataSource, DedupSchema schema,
      String scope, Duration interval) {
    ContainerProperties properties = container.getContainerProperties();
    if (properties.getIdleEventInterval() == null) {
      properties.setIdleEventInterval(interval.toMillis());
    }
    return new ContainerHeartbeats(dataSource, schema, scope, container.getGroupId(), interval);
  }

  /**
   * A poll of this thread's consumer (delivered or idle): writes its row if the interval has passed.
   *
   * @param consumer the consumer, if the container gave it (kept for the member id of idle polls)
   */
  void polled(@Nullable Consumer<?, ?> consumer) {
    Beat beat = beat();
    if (consumer != null) {
      beat.consumer = consumer;
    }
    beat.heartbeat.polled(beat::memberId);
  }

  /** A poll of {@code count} records of this thread committed: counted, and written if the interval passed. */
  void progressed(int count) {
    Beat beat = beat();
    beat.heartbeat.progressed(count);
    beat.heartbeat.polled(beat::memberId);
  }

  /** This thread's consumer stops: its row is marked stopped, and a restart gets a new instance. */
  void stopped() {
    Beat beat = beats.get();
    beats.remove();
    if (beat != null) {
      beat.heartbeat.stopped();
    }
  }

  private Beat beat() {
    Beat beat = beats.get();
    if (beat == null) {
      beat = new Beat(new Heartbeat(dataSource, schema, scope, groupId, interval));
      beats.set(beat);
    }
    return beat;
  }

  /** One consumer thread's heartbeat and the consumer it last saw. */
  private static final class Beat {
    final Heartbeat heartbeat;
    @Nullable Consumer<?, ?> consumer;

    Beat(Heartbeat heartbeat) {
      this.heartbeat = heartbeat;
    }

    @Nullable String memberId() {
      Consumer<?, ?> c = consumer;
      if (c == null) {
        return null;
      }
      try {
        return c.groupMetadata().memberId();
      } catch (RuntimeException e) {
        return null; // a consumer closing or not in a group: the row goes without a member id
      }
    }
  }
}

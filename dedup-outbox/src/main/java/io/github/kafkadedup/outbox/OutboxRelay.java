package io.github.kafkadedup.outbox;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.internal.RelayLoop;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Publishes the committed rows of the outbox table to Kafka and deletes them.
 *
 * <p>Rows are split into {@link Outbox#LANES} lanes by (topic, key). A relay owns a lane through a
 * session-level advisory lock ({@code pg_try_advisory_lock}) on a connection it keeps for its whole life,
 * so any number of instances of a service may run a relay: each lane is published by one of them at a
 * time, in id order, with the idempotent producer preset. A relay that dies loses its connection and with
 * it its locks; the others take its lanes over within {@link Builder#rebalanceInterval}. A relay wakes on
 * {@code LISTEN/NOTIFY} (sent when a sending transaction commits) and polls every
 * {@link Builder#pollInterval} in case a notification is missed; it reads at most
 * {@link Builder#batchSize} rows per query and backs off while Kafka or PostgreSQL fail.
 *
 * <pre>{@code
 * try (OutboxRelay relay = OutboxRelay.builder(dataSource,
 *     IdempotentProducerConfig.builder().bootstrapServers("localhost:9092").build()).build().start()) {
 *   ...   // the service runs
 * }
 * }</pre>
 *
 * <p>Sealed: its builder makes the one implementation (in the {@code internal} package); users call it,
 * they do not implement it.
 */
public sealed interface OutboxRelay extends AutoCloseable permits RelayLoop {

  /**
   * Starts publishing on a thread of its own (a daemon thread named after the relay).
   *
   * @return this
   * @throws IllegalStateException if already started or closed
   */
  OutboxRelay start();

  /** @return the lanes this relay owns now (a copy) */
  Set<Integer> ownedLanes();

  /** @return the relay's name (in log lines, meters and the thread name) */
  String name();

  /**
   * Stops: finishes or abandons the batch in flight (its rows stay and are published again, by this or
   * another relay), closes the producer and the connection (releasing the lanes). Waits at most the
   * builder's {@link Builder#closeTimeout}.
   */
  @Override
  void close();

  /**
   * A builder.
   *
   * @param dataSource the database with the outbox table; the relay holds one connection of it for its life
   * @param producer the producer settings (at least bootstrap servers); the relay uses byte-array serializers
   * @return a new builder
   */
  static Builder builder(DataSource dataSource, IdempotentProducerConfig producer) {
    return new Builder(dataSource, producer);
  }

  /** Builds an {@link OutboxRelay}; each setter checks its argument. */
  final class Builder {
    private final DataSource dataSource;
    private final IdempotentProducerConfig producer;
    private DedupSchema schema = DedupSchema.DEFAULT;
    private String name = "outbox-relay";
    private int maxLanes = Outbox.LANES;
    private int batchSize = 1000;
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration rebalanceInterval = Duration.ofSeconds(5);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private OutboxMetrics metrics = OutboxMetrics.none();
    private ObservationRegistry observations = ObservationRegistry.NOOP;

    private Builder(DataSource dataSource, IdempotentProducerConfig producer) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.producer = Objects.requireNonNull(producer, "producer");
    }

    /**
     * @param value where the outbox table is; default {@link DedupSchema#DEFAULT}
     * @return this
     */
    public Builder schema(DedupSchema value) {
      this.schema = Objects.requireNonNull(value, "schema");
      return this;
    }

    /**
     * @param value the relay's name; default {@code outbox-relay}; not blank
     * @return this
     * @throws IllegalArgumentException if blank
     */
    public Builder name(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, but was " + (value == null ? "null" : "'" + value + "'"));
      }
      this.name = value;
      return this;
    }

    /**
     * The most lanes this relay owns; with n instances, {@code ceil(64 / (n - 1))} spreads the work and
     * still lets the others cover a dead one. Default all {@link Outbox#LANES}.
     *
     * @param value 1 to {@link Outbox#LANES}
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxLanes(int value) {
      if (value < 1 || value > Outbox.LANES) {
        throw new IllegalArgumentException("maxLanes must be between 1 and " + Outbox.LANES + ", but was " + value);
      }
      this.maxLanes = value;
      return this;
    }

    /**
     * @param value the most rows read (and published, then deleted) per round; default 1000; 1 to 100,000
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder batchSize(int value) {
      if (value < 1 || value > 100_000) {
        throw new IllegalArgumentException("batchSize must be between 1 and 100000, but was " + value);
      }
      this.batchSize = value;
      return this;
    }

    /**
     * @param value the longest the relay waits for a notification before it looks anyway; default 1 s;
     *     10 ms to 10 minutes
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder pollInterval(Duration value) {
      this.pollInterval = checked("pollInterval", value, Duration.ofMillis(10), Duration.ofMinutes(10));
      return this;
    }

    /**
     * @param value how often a relay with fewer than {@link #maxLanes} lanes tries to take free ones (e.g.
     *     those of a dead relay); default 5 s; 10 ms to 10 minutes
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder rebalanceInterval(Duration value) {
      this.rebalanceInterval = checked("rebalanceInterval", value, Duration.ofMillis(10), Duration.ofMinutes(10));
      return this;
    }

    /**
     * @param value the longest pause between attempts while Kafka or PostgreSQL fail; default 10 s; 10 ms to
     *     10 minutes
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxBackoff(Duration value) {
      this.maxBackoff = checked("maxBackoff", value, Duration.ofMillis(10), Duration.ofMinutes(10));
      return this;
    }

    /**
     * @param value how long {@link #close} waits for the batch in flight; default 10 s; 0 to 10 minutes
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder closeTimeout(Duration value) {
      this.closeTimeout = checked("closeTimeout", value, Duration.ZERO, Duration.ofMinutes(10));
      return this;
    }

    /**
     * @param value where meters go, e.g. {@link OutboxMetrics#micrometer}; default none
     * @return this
     */
    public Builder metrics(OutboxMetrics value) {
      this.metrics = Objects.requireNonNull(value, "metrics");
      return this;
    }

    /**
     * Where spans go: per published row, a relay span continuing the trace context stored with the row (the
     * outbox write's) and a producer span whose context the published record carries, so that one trace runs
     * from the consumer that wrote the row to the consumer that reads the record. Default
     * {@link ObservationRegistry#NOOP} (none).
     *
     * @param value the registry, e.g. the application's
     * @return this
     */
    public Builder observationRegistry(ObservationRegistry value) {
      this.observations = Objects.requireNonNull(value, "observationRegistry");
      return this;
    }

    private static Duration checked(String property, Duration value, Duration min, Duration max) {
      if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(property + " must be between " + min + " and " + max + ", but was " + value);
      }
      return value;
    }

    /** @return the relay, not started */
    public OutboxRelay build() {
      return new RelayLoop(new RelayLoop.Settings(dataSource, producer, schema, name, maxLanes, batchSize,
          pollInterval, rebalanceInterval, maxBackoff, closeTimeout, metrics, observations));
    }
  }
}

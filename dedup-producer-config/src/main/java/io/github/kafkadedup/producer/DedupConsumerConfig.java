package io.github.kafkadedup.producer;

import static org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_PROTOCOL_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings for a consumer whose records are deduplicated and applied in database transactions.
 * Immutable; build one with {@link #builder()}.
 *
 * <p>The preset: {@code enable.auto.commit=false} (offsets are committed after the database commit),
 * {@code isolation.level=read_committed} (records of aborted transactions never arrive),
 * {@code auto.offset.reset=earliest} (a new group starts at the beginning instead of skipping what was
 * written before it joined), {@code max.poll.records=}{@value #DEFAULT_MAX_POLL_RECORDS} (one poll is one
 * database transaction), {@code max.poll.interval.ms} of {@linkplain #DEFAULT_MAX_POLL_INTERVAL 5 minutes},
 * and incremental rebalancing: the classic protocol with the {@link CooperativeStickyAssignor} by default,
 * or the broker-driven KIP-848 protocol ({@code group.protocol=consumer}, Kafka 4.0 brokers and newer).
 * Optionally static membership ({@code group.instance.id}). Overrides are merged on top; those that
 * turn auto-commit on or read uncommitted records are refused or logged according to the {@link Stance}.
 *
 * <pre>{@code
 * DedupConsumerConfig config = DedupConsumerConfig.builder()
 *     .bootstrapServers("kafka:9092")
 *     .groupId("orders-service")
 *     .keyDeserializer(StringDeserializer.class)
 *     .valueDeserializer(StringDeserializer.class)
 *     .build();
 * Consumer<String, String> consumer = new KafkaConsumer<>(config.toMap());
 * }</pre>
 */
public final class DedupConsumerConfig {
  /** The default {@code max.poll.records}: {@value}, the records of one database transaction. */
  public static final int DEFAULT_MAX_POLL_RECORDS = 500;

  /** The default {@code max.poll.interval.ms}: 5 minutes for one batch, retries of a failed batch included. */
  public static final Duration DEFAULT_MAX_POLL_INTERVAL = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(DedupConsumerConfig.class);

  private final Builder settings;
  private final GroupProtocol protocol;
  private final Map<String, Object> properties;

  private DedupConsumerConfig(Builder builder) {
    this.settings = builder.copy();
    Violations violations = new Violations(settings.stance, subject(settings), settings.warnings);
    this.protocol = ConsumerRules.protocol(settings.overrides.get(GROUP_PROTOCOL_CONFIG), settings.protocol,
        violations);
    Map<String, Object> props = preset(settings, protocol);
    props.putAll(settings.overrides);
    ConsumerRules.check(props, protocol, violations);
    this.properties = Collections.unmodifiableMap(props);
  }

  private static String subject(Builder b) {
    Object group = b.overrides.getOrDefault(GROUP_ID_CONFIG, b.groupId);
    return "dedup consumer" + (group == null ? "" : " (group " + group + ")");
  }

  private static Map<String, Object> preset(Builder b, GroupProtocol protocol) {
    Map<String, Object> props = new TreeMap<>();
    putIfSet(props, BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    putIfSet(props, GROUP_ID_CONFIG, b.groupId);
    putIfSet(props, GROUP_INSTANCE_ID_CONFIG, b.groupInstanceId);
    putIfSet(props, KEY_DESERIALIZER_CLASS_CONFIG, b.keyDeserializer);
    putIfSet(props, VALUE_DESERIALIZER_CLASS_CONFIG, b.valueDeserializer);
    props.put(ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(MAX_POLL_RECORDS_CONFIG, b.maxPollRecords);
    props.put(MAX_POLL_INTERVAL_MS_CONFIG, (int) b.maxPollInterval.toMillis());
    props.put(GROUP_PROTOCOL_CONFIG, protocol.name().toLowerCase(Locale.ROOT));
    if (protocol == GroupProtocol.CLASSIC) {
      props.put(PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    }
    return props;
  }

  private static void putIfSet(Map<String, Object> props, String key, @Nullable Object value) {
    if (value != null) {
      props.put(key, value);
    }
  }

  /**
   * Whether consumer properties turn Kafka's auto-commit on: {@code enable.auto.commit} true, as a Boolean or as
   * text in any case, in a {@code Map} or {@code Properties} (defaults included). The one reading of this rule
   * for every kafka-dedup consumer: this preset, the engine's {@code DedupConsumer} and the Spring checks.
   *
   * @param consumerProperties the consumer's properties, or {@code null} (auto-commit off)
   * @return true if auto-commit is on, false if it is off or absent
   * @throws ConfigValidationException if the value is neither a Boolean nor "true"/"false" (kafka-clients
   *     refuses it too)
   */
  public static boolean autoCommits(@Nullable Map<?, ?> consumerProperties) {
    if (consumerProperties == null) {
      return false;
    }
    Object value = consumerProperties.get(ENABLE_AUTO_COMMIT_CONFIG);
    if (value == null && consumerProperties instanceof Properties p) {
      value = p.getProperty(ENABLE_AUTO_COMMIT_CONFIG);
    }
    return value != null && PropertyValues.asBoolean(ENABLE_AUTO_COMMIT_CONFIG, value);
  }

  /**
   * A builder with the preset's defaults and {@link Stance#STRICT}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this configuration's settings, to derive a modified copy (for example one
   * {@code group.instance.id} per consumer).
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return settings.copy();
  }

  /**
   * The consumer settings, for {@code new KafkaConsumer<>(map)} or Spring Kafka's
   * {@code new DefaultKafkaConsumerFactory<>(map)}.
   *
   * @return an unmodifiable map, sorted by property name
   */
  public Map<String, Object> toMap() {
    return properties;
  }

  /**
   * The same settings as {@link #toMap()}, as a new mutable {@link Properties}.
   *
   * @return a new {@code Properties} object
   */
  public Properties toProperties() {
    Properties props = new Properties();
    props.putAll(properties);
    return props;
  }

  /**
   * The consumer group, the default dedup scope of kafka-dedup.
   *
   * @return the {@code group.id}
   */
  public String groupId() {
    return PropertyValues.asTextKeepCase(Objects.requireNonNull(properties.get(GROUP_ID_CONFIG)));
  }

  /**
   * The static member id, if static membership is on.
   *
   * @return the {@code group.instance.id}, or empty
   */
  public Optional<String> groupInstanceId() {
    Object id = properties.get(GROUP_INSTANCE_ID_CONFIG);
    return id == null ? Optional.empty() : Optional.of(PropertyValues.asTextKeepCase(id));
  }

  /**
   * The rebalance protocol in effect (from {@link Builder#groupProtocol} or a {@code group.protocol} override).
   *
   * @return the group protocol
   */
  public GroupProtocol groupProtocol() {
    return protocol;
  }

  /**
   * How overrides that weaken the preset were treated.
   *
   * @return the stance, {@link Stance#STRICT} unless set
   */
  public Stance stance() {
    return settings.stance;
  }

  /** The settings, with passwords and JAAS configurations hidden. */
  @Override
  public String toString() {
    return "DedupConsumerConfig" + SettingsText.masked(properties);
  }

  /**
   * Builds a {@link DedupConsumerConfig}; each setter checks its argument. A {@code group.protocol}
   * override selects the protocol as {@link #groupProtocol} does. Not thread-safe.
   */
  public static final class Builder extends PresetBuilder<Builder> {
    private @Nullable String groupId;
    private @Nullable String groupInstanceId;
    private @Nullable Class<?> keyDeserializer;
    private @Nullable Class<?> valueDeserializer;
    private GroupProtocol protocol = GroupProtocol.CLASSIC;
    private int maxPollRecords = DEFAULT_MAX_POLL_RECORDS;
    private Duration maxPollInterval = DEFAULT_MAX_POLL_INTERVAL;

    private Builder() {
      super(log::warn);
    }

    private Builder copy() {
      Builder copy = new Builder().copyShared(this);
      copy.groupId = groupId;
      copy.groupInstanceId = groupInstanceId;
      copy.keyDeserializer = keyDeserializer;
      copy.valueDeserializer = valueDeserializer;
      copy.protocol = protocol;
      copy.maxPollRecords = maxPollRecords;
      copy.maxPollInterval = maxPollInterval;
      return copy;
    }

    /**
     * The consumer group ({@code group.id}), also kafka-dedup's default dedup scope. Required, here or as
     * an override.
     *
     * @param groupId the group id, not blank
     * @return this builder
     * @throws ConfigValidationException if {@code groupId} is blank
     */
    public Builder groupId(String groupId) {
      this.groupId = Arguments.notBlank("groupId", GROUP_ID_CONFIG, groupId);
      return this;
    }

    /**
     * Turns on static membership ({@code group.instance.id}): a consumer that restarts with the same id
     * within the session timeout gets its partitions back without a rebalance. The id must be unique in
     * the group and stable across restarts (a pod name of a StatefulSet, a host name plus a thread index).
     * Default: none (dynamic membership).
     *
     * @param instanceId the member id, not blank
     * @return this builder
     * @throws ConfigValidationException if {@code instanceId} is blank
     */
    public Builder groupInstanceId(String instanceId) {
      this.groupInstanceId = Arguments.notBlank("groupInstanceId", GROUP_INSTANCE_ID_CONFIG, instanceId);
      return this;
    }

    /**
     * The record key deserializer ({@code key.deserializer}). Optional: it can also be given to the
     * {@code KafkaConsumer} or {@code DefaultKafkaConsumerFactory} constructor.
     *
     * @param deserializer a class implementing {@link Deserializer}
     * @return this builder
     * @throws ConfigValidationException if the class is not a {@code Deserializer}
     */
    public Builder keyDeserializer(Class<?> deserializer) {
      this.keyDeserializer = Arguments.implementing("keyDeserializer", KEY_DESERIALIZER_CLASS_CONFIG,
          deserializer, Deserializer.class);
      return this;
    }

    /**
     * The record value deserializer ({@code value.deserializer}). Optional, like {@link #keyDeserializer}.
     *
     * @param deserializer a class implementing {@link Deserializer}
     * @return this builder
     * @throws ConfigValidationException if the class is not a {@code Deserializer}
     */
    public Builder valueDeserializer(Class<?> deserializer) {
      this.valueDeserializer = Arguments.implementing("valueDeserializer", VALUE_DESERIALIZER_CLASS_CONFIG,
          deserializer, Deserializer.class);
      return this;
    }

    /**
     * The rebalance protocol. {@link GroupProtocol#CLASSIC} (the default) with the cooperative sticky
     * assignor works with every broker; {@link GroupProtocol#CONSUMER} (KIP-848) moves assignment to the
     * broker, rebalances without stopping the other members, and needs Kafka 4.0 brokers or newer.
     *
     * @param protocol the protocol
     * @return this builder
     */
    public Builder groupProtocol(GroupProtocol protocol) {
      this.protocol = Objects.requireNonNull(protocol, "groupProtocol");
      return this;
    }

    /**
     * The most records one poll returns ({@code max.poll.records}), so the most records of one database
     * transaction. Default {@value DedupConsumerConfig#DEFAULT_MAX_POLL_RECORDS}.
     *
     * @param records a positive count
     * @return this builder
     * @throws ConfigValidationException if {@code records} is not positive
     */
    public Builder maxPollRecords(int records) {
      this.maxPollRecords = Arguments.positive("maxPollRecords", MAX_POLL_RECORDS_CONFIG, records);
      return this;
    }

    /**
     * The longest time between two polls before the member is considered stuck and its partitions move
     * ({@code max.poll.interval.ms}). It must cover the slowest batch, including a failed batch retried
     * record by record. Default {@linkplain DedupConsumerConfig#DEFAULT_MAX_POLL_INTERVAL 5 minutes}.
     *
     * @param interval a positive duration of at most {@link Integer#MAX_VALUE} milliseconds
     * @return this builder
     * @throws ConfigValidationException if {@code interval} is not positive or too long
     */
    public Builder maxPollInterval(Duration interval) {
      this.maxPollInterval = Arguments.positiveMillis("maxPollInterval", MAX_POLL_INTERVAL_MS_CONFIG, interval);
      return this;
    }

    /**
     * Merges the overrides into the preset and checks the result.
     *
     * @return the immutable configuration
     * @throws ConfigValidationException if a required setting is missing, a value cannot be parsed, a
     *     setting does not fit the group protocol, or an override weakens the preset under {@link Stance#STRICT}
     */
    public DedupConsumerConfig build() {
      return new DedupConsumerConfig(this);
    }
  }
}

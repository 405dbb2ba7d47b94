package io.github.kafkadedup.producer;

import static org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.INTERCEPTOR_CLASSES_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION;
import static org.apache.kafka.clients.producer.ProducerConfig.RETRIES_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings for an idempotent (optionally transactional) Kafka producer that cannot silently lose
 * idempotence or ordering. Immutable; build one with {@link #builder()}.
 *
 * <p>The preset: {@code enable.idempotence=true}, {@code acks=all}, {@code retries=2147483647} (retries
 * are bounded by time, {@code delivery.timeout.ms}, not by count), {@code max.in.flight.requests.per.connection=5},
 * {@code delivery.timeout.ms} of {@linkplain #DEFAULT_DELIVERY_TIMEOUT 2 minutes} (long enough to ride out a
 * leader election or a broker restart), and the {@link IdempotencyKeyInterceptor} in
 * {@code interceptor.classes}. Overrides are merged on top; an override that disables idempotence or
 * ordering ({@code enable.idempotence=false}, {@code acks} other than {@code all}/{@code -1},
 * {@code retries} below 1, more than 5 requests in flight) is refused or logged according to the
 * {@link Stance}.
 *
 * <pre>{@code
 * IdempotentProducerConfig config = IdempotentProducerConfig.builder()
 *     .bootstrapServers("kafka:9092")
 *     .keySerializer(StringSerializer.class)
 *     .valueSerializer(StringSerializer.class)
 *     .build();
 * Producer<String, String> producer = new KafkaProducer<>(config.toMap());
 * // Spring Kafka: new DefaultKafkaProducerFactory<>(config.toMap())
 * }</pre>
 */
public final class IdempotentProducerConfig {
  /** The default {@code delivery.timeout.ms}: 2 minutes. */
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMinutes(2);

  private static final Logger log = LoggerFactory.getLogger(IdempotentProducerConfig.class);

  private final Builder settings;
  private final Map<String, Object> properties;

  private IdempotentProducerConfig(Builder builder) {
    this.settings = builder.copy();
    Map<String, Object> props = preset(settings);
    settings.overrides.forEach((key, value) -> {
      if (!key.equals(INTERCEPTOR_CLASSES_CONFIG)) {
        props.put(key, value);
      }
    });
    interceptors(settings).ifPresent(classes -> props.put(INTERCEPTOR_CLASSES_CONFIG, classes));
    ProducerRules.check(props, new Violations(settings.stance, "idempotent producer", settings.warnings));
    this.properties = Collections.unmodifiableMap(props);
  }

  private static Map<String, Object> preset(Builder b) {
    Map<String, Object> props = new TreeMap<>();
    if (b.bootstrapServers != null) {
      props.put(BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    }
    if (b.keySerializer != null) {
      props.put(KEY_SERIALIZER_CLASS_CONFIG, b.keySerializer);
    }
    if (b.valueSerializer != null) {
      props.put(VALUE_SERIALIZER_CLASS_CONFIG, b.valueSerializer);
    }
    props.put(ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ACKS_CONFIG, "all");
    props.put(RETRIES_CONFIG, Integer.MAX_VALUE);
    props.put(MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, ProducerRules.MAX_IN_FLIGHT);
    props.put(DELIVERY_TIMEOUT_MS_CONFIG, (int) b.deliveryTimeout.toMillis());
    return props;
  }

  /** The user's interceptors followed by ours (it keeps a key an earlier interceptor set). */
  private static Optional<List<String>> interceptors(Builder b) {
    Object userValue = b.overrides.get(INTERCEPTOR_CLASSES_CONFIG);
    List<String> classes = userValue == null
        ? new ArrayList<>() : PropertyValues.asClassNames(INTERCEPTOR_CLASSES_CONFIG, userValue);
    String ours = IdempotencyKeyInterceptor.class.getName();
    if (b.idempotencyKeys && !classes.contains(ours)) {
      classes.add(ours);
    }
    return userValue == null && classes.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(classes));
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
   * A builder holding this configuration's settings, to derive a modified copy.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return settings.copy();
  }

  /**
   * The producer settings, for {@code new KafkaProducer<>(map)} or Spring Kafka's
   * {@code new DefaultKafkaProducerFactory<>(map)}. With a {@linkplain Builder#transactionalIdPrefix
   * transactional id prefix}, {@code transactional.id} holds the prefix itself: Spring Kafka takes it as its
   * transaction id prefix and appends a suffix per producer; with plain kafka-clients, use
   * {@link #toMap(String)} so that each producer gets an id of its own.
   *
   * @return an unmodifiable map, sorted by property name
   */
  public Map<String, Object> toMap() {
    return settings.transactionalIdPrefix == null ? properties : withTransactionalId(settings.transactionalIdPrefix);
  }

  /**
   * The producer settings of one transactional producer: {@code transactional.id} is the prefix followed
   * by {@code suffix}. The suffix must be stable for the producer's role across restarts (an instance
   * ordinal, a pod name of a StatefulSet), so that a restarted producer fences its zombie predecessor.
   *
   * @param suffix appended to the prefix, not blank
   * @return an unmodifiable map, sorted by property name
   * @throws IllegalStateException if no transactional id prefix was set
   * @throws IllegalArgumentException if {@code suffix} is blank
   */
  public Map<String, Object> toMap(String suffix) {
    Objects.requireNonNull(suffix, "suffix");
    if (settings.transactionalIdPrefix == null) {
      throw new IllegalStateException("toMap(\"" + suffix + "\") needs a transactional id prefix: call "
          + "transactionalIdPrefix(\"my-service-\") on the builder, or use toMap() for a non-transactional producer");
    }
    if (suffix.isBlank()) {
      throw new IllegalArgumentException("suffix must not be blank, but was \"" + suffix + "\"");
    }
    return withTransactionalId(settings.transactionalIdPrefix + suffix);
  }

  private Map<String, Object> withTransactionalId(String transactionalId) {
    Map<String, Object> props = new TreeMap<>(properties);
    props.put(TRANSACTIONAL_ID_CONFIG, transactionalId);
    return Collections.unmodifiableMap(props);
  }

  /**
   * The same settings as {@link #toMap()}, as a new mutable {@link Properties}.
   *
   * @return a new {@code Properties} object
   */
  public Properties toProperties() {
    Properties props = new Properties();
    props.putAll(toMap());
    return props;
  }

  /**
   * The transactional id prefix, if this is a transactional producer.
   *
   * @return the prefix, or empty
   */
  public Optional<String> transactionalIdPrefix() {
    return Optional.ofNullable(settings.transactionalIdPrefix);
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
    return "IdempotentProducerConfig" + SettingsText.masked(toMap());
  }

  /**
   * Builds an {@link IdempotentProducerConfig}; each setter checks its argument. An
   * {@code interceptor.classes} override is merged: the {@link IdempotencyKeyInterceptor} is appended to it.
   * Not thread-safe.
   */
  public static final class Builder extends PresetBuilder<Builder> {
    private @Nullable Class<?> keySerializer;
    private @Nullable Class<?> valueSerializer;
    private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;
    private @Nullable String transactionalIdPrefix;
    private boolean idempotencyKeys = true;

    private Builder() {
      super(log::warn);
    }

    private Builder copy() {
      Builder copy = new Builder().copyShared(this);
      copy.keySerializer = keySerializer;
      copy.valueSerializer = valueSerializer;
      copy.deliveryTimeout = deliveryTimeout;
      copy.transactionalIdPrefix = transactionalIdPrefix;
      copy.idempotencyKeys = idempotencyKeys;
      return copy;
    }

    /**
     * The record key serializer ({@code key.serializer}). Optional: it can also be given to the
     * {@code KafkaProducer} or {@code DefaultKafkaProducerFactory} constructor.
     *
     * @param serializer a class implementing {@link Serializer}
     * @return this builder
     * @throws ConfigValidationException if the class is not a {@code Serializer}
     */
    public Builder keySerializer(Class<?> serializer) {
      this.keySerializer = Arguments.implementing("keySerializer", KEY_SERIALIZER_CLASS_CONFIG, serializer,
          Serializer.class);
      return this;
    }

    /**
     * The record value serializer ({@code value.serializer}). Optional, like {@link #keySerializer}.
     *
     * @param serializer a class implementing {@link Serializer}
     * @return this builder
     * @throws ConfigValidationException if the class is not a {@code Serializer}
     */
    public Builder valueSerializer(Class<?> serializer) {
      this.valueSerializer = Arguments.implementing("valueSerializer", VALUE_SERIALIZER_CLASS_CONFIG, serializer,
          Serializer.class);
      return this;
    }

    /**
     * How long {@code send} may take in total, retries included ({@code delivery.timeout.ms}); default
     * {@linkplain #DEFAULT_DELIVERY_TIMEOUT 2 minutes}. It must cover a broker fail-over and be at least
     * {@code linger.ms + request.timeout.ms} (30,005 ms with kafka-clients' defaults), checked at {@link #build()}.
     *
     * @param timeout a positive duration of at most {@link Integer#MAX_VALUE} milliseconds
     * @return this builder
     * @throws ConfigValidationException if {@code timeout} is not positive or too long
     */
    public Builder deliveryTimeout(Duration timeout) {
      this.deliveryTimeout = Arguments.positiveMillis("deliveryTimeout", DELIVERY_TIMEOUT_MS_CONFIG, timeout);
      return this;
    }

    /**
     * Makes the producer transactional: {@code transactional.id} becomes this prefix (for Spring Kafka) or
     * the prefix plus a per-producer suffix ({@link IdempotentProducerConfig#toMap(String)}). Default: none.
     *
     * @param prefix the prefix, not blank, such as {@code "orders-service-"}
     * @return this builder
     * @throws ConfigValidationException if {@code prefix} is blank
     */
    public Builder transactionalIdPrefix(String prefix) {
      this.transactionalIdPrefix = Arguments.notBlank("transactionalIdPrefix", TRANSACTIONAL_ID_CONFIG, prefix);
      return this;
    }

    /**
     * Whether to add the {@link IdempotencyKeyInterceptor} to {@code interceptor.classes} (after any
     * interceptors given as an override). Default: {@code true}.
     *
     * @param enabled {@code false} to leave the header to the application
     * @return this builder
     */
    public Builder idempotencyKeys(boolean enabled) {
      this.idempotencyKeys = enabled;
      return this;
    }

    /**
     * Merges the overrides into the preset and checks the result.
     *
     * @return the immutable configuration
     * @throws ConfigValidationException if a required setting is missing, a value cannot be parsed, or an
     *     override weakens the preset under {@link Stance#STRICT}
     */
    public IdempotentProducerConfig build() {
      return new IdempotentProducerConfig(this);
    }
  }
}

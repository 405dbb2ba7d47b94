package io.github.kafkadedup.producer;

import static org.apache.kafka.clients.CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The settings both preset builders share: the bootstrap servers, the {@link Stance} and the overrides
 * of any Kafka client property. Extended only by {@link IdempotentProducerConfig.Builder} and
 * {@link DedupConsumerConfig.Builder}.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract sealed class PresetBuilder<B extends PresetBuilder<B>>
    permits IdempotentProducerConfig.Builder, DedupConsumerConfig.Builder {
  @Nullable String bootstrapServers;
  Stance stance = Stance.STRICT;
  final Map<String, Object> overrides = new LinkedHashMap<>();
  Consumer<String> warnings;

  PresetBuilder(Consumer<String> warnings) {
    this.warnings = warnings;
  }

  /** Copies the shared settings of {@code other} into this builder. */
  final B copyShared(PresetBuilder<?> other) {
    bootstrapServers = other.bootstrapServers;
    stance = other.stance;
    overrides.putAll(other.overrides);
    warnings = other.warnings;
    return self();
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * The brokers to connect to first ({@code bootstrap.servers}). Required, here or as an override.
   *
   * @param servers {@code host:port} pairs separated by commas
   * @return this builder
   * @throws ConfigValidationException if {@code servers} is blank
   */
  public B bootstrapServers(String servers) {
    this.bootstrapServers = Arguments.notBlank("bootstrapServers", BOOTSTRAP_SERVERS_CONFIG, servers);
    return self();
  }

  /**
   * What {@code build()} does with an override that weakens the preset. Default: {@link Stance#STRICT}.
   *
   * @param stance the stance
   * @return this builder
   */
  public B stance(Stance stance) {
    this.stance = Objects.requireNonNull(stance, "stance");
    return self();
  }

  /**
   * Sets any Kafka client property (a producer property for the producer preset, a consumer property for
   * the consumer preset) on top of the preset, replacing an earlier override of the same property.
   * Checked at {@code build()}; the concrete builder says which properties it merges or interprets.
   *
   * @param property a kafka-clients property, not blank
   * @param value its value, as kafka-clients accepts it (String, Number, Boolean, Class, List)
   * @return this builder
   * @throws ConfigValidationException if {@code property} is blank
   */
  public B override(String property, Object value) {
    Arguments.notBlank("override property", "override", property);
    overrides.put(property.trim(), Objects.requireNonNull(value, () -> "value of override " + property));
    return self();
  }

  /**
   * Sets several properties as {@link #override(String, Object)} does, such as Spring Boot's
   * {@code KafkaProperties.buildProducerProperties()} or {@code buildConsumerProperties()}.
   *
   * @param properties property names and values
   * @return this builder
   * @throws ConfigValidationException if a property name is blank
   */
  public B overrides(Map<String, ?> properties) {
    Objects.requireNonNull(properties, "properties").forEach(this::override);
    return self();
  }

  /** Where WARN-stance messages go; the logger unless a test replaces it. */
  B warnings(Consumer<String> sink) {
    this.warnings = Objects.requireNonNull(sink, "sink");
    return self();
  }
}

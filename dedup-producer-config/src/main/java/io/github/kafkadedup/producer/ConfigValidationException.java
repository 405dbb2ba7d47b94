package io.github.kafkadedup.producer;

import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;

/**
 * A Kafka client setting that a preset refuses: the message names the property, the value, why it is
 * refused and the fix. A {@link ConfigException}, so code that already handles Kafka's own configuration
 * errors handles this one too.
 */
public final class ConfigValidationException extends ConfigException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final transient @Nullable Object value;

  private ConfigValidationException(String property, @Nullable Object value, String message) {
    super(message);
    this.property = property;
    this.value = value;
  }

  /** A refused setting: {@code message} is the whole text the user sees. */
  static ConfigValidationException of(String property, @Nullable Object value, String message) {
    return new ConfigValidationException(property, value, message);
  }

  /**
   * The Kafka property that was refused, such as {@code acks} or {@code enable.auto.commit}.
   *
   * @return the property name, never blank
   */
  public String property() {
    return property;
  }

  /**
   * The refused value as the user gave it.
   *
   * @return the value, or {@code null} when the property was missing
   */
  public @Nullable Object value() {
    return value;
  }
}

package io.github.kafkadedup.producer;

import java.time.Duration;
import java.util.Objects;

/** Checks of builder arguments; messages name the builder method, the Kafka property and the bad value. */
final class Arguments {
  private Arguments() {}

  static String notBlank(String name, String property, String value) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw ConfigValidationException.of(property, value,
          name + " (" + property + ") must not be blank, but was " + PropertyValues.describe(value));
    }
    return value.trim();
  }

  static int positive(String name, String property, int value) {
    if (value <= 0) {
      throw ConfigValidationException.of(property, value,
          name + " (" + property + ") must be > 0, but was " + value);
    }
    return value;
  }

  static Duration positiveMillis(String name, String property, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
      throw ConfigValidationException.of(property, value, name + " (" + property
          + ") must be between 1 ms and " + Integer.MAX_VALUE + " ms, but was " + value);
    }
    return value;
  }

  static Class<?> implementing(String name, String property, Class<?> value, Class<?> type) {
    Objects.requireNonNull(value, name);
    if (!type.isAssignableFrom(value)) {
      throw ConfigValidationException.of(property, value, name + " (" + property + ") must implement "
          + type.getName() + ", but was " + value.getName());
    }
    return value;
  }
}

package io.github.kafkadedup.producer;

import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Applies the {@link Stance} to the settings a preset's rules refuse: {@link #weakens} throws under
 * {@link Stance#STRICT} and reports one warning under {@link Stance#WARN}; {@link #invalid} always throws.
 */
final class Violations {
  private final Stance stance;
  private final String subject;
  private final Consumer<String> warnings;

  Violations(Stance stance, String subject, Consumer<String> warnings) {
    this.stance = Objects.requireNonNull(stance, "stance");
    this.subject = subject;
    this.warnings = warnings;
  }

  /**
   * An override that weakens the preset's guarantees: thrown or warned about, depending on the stance.
   * Callers report each property at most once per build.
   */
  void weakens(String property, Object value, String why, String fix) {
    String message = text(property, value, why, fix);
    if (stance == Stance.STRICT) {
      throw ConfigValidationException.of(property, value, message);
    }
    warnings.accept(message + " [kept because the stance is WARN]");
  }

  /** A setting that can never work (missing, or refused by kafka-clients): always thrown. */
  ConfigValidationException invalid(String property, @Nullable Object value, String why, String fix) {
    return ConfigValidationException.of(property, value, text(property, value, why, fix));
  }

  private String text(String property, @Nullable Object value, String why, String fix) {
    String setting = value == null ? property + " is missing" : property + "=" + value;
    return subject + ": " + setting + " " + why + ". Fix: " + fix + ".";
  }
}

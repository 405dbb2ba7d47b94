package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetters;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --state} and {@code --reason} as stored ({@code held}, {@code handler_failed}); dashes and case are forgiven. */
final class DeadLetterEnums {
  private DeadLetterEnums() {}

  static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
    String name = value.strip().replace('-', '_').toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    throw new TypeConversionException(option + " must be one of " + Arrays.stream(type.getEnumConstants())
        .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ", but was '" + value + "'");
  }

  /** Converts {@code --state}. */
  static final class StateConverter implements ITypeConverter<DeadLetters.State> {
    @Override
    public DeadLetters.State convert(String value) {
      return parse(DeadLetters.State.class, value, "--state");
    }
  }

  /** Converts {@code --reason}. */
  static final class ReasonConverter implements ITypeConverter<DeadLetters.Reason> {
    @Override
    public DeadLetters.Reason convert(String value) {
      return parse(DeadLetters.Reason.class, value, "--reason");
    }
  }
}

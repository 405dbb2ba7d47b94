package io.github.kafkadedup.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Reads override values the way kafka-clients parses them (Number or String, Boolean or String, lists). */
final class PropertyValues {
  private PropertyValues() {}

  /** An int from a Number or a String; a value that is neither is refused, naming the property. */
  static int asInt(String property, Object value) {
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).intValue();
    }
    if (value instanceof Long l && l == l.intValue()) {
      return l.intValue();
    }
    if (value instanceof String s) {
      try {
        return Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        // refused below
      }
    }
    throw ConfigValidationException.of(property, value,
        property + " must be an integer, but was " + describe(value));
  }

  /** A boolean from a Boolean or the String "true"/"false" (any case), as kafka-clients reads it. */
  static boolean asBoolean(String property, Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s) {
      String t = s.trim();
      if (t.equalsIgnoreCase("true")) {
        return true;
      }
      if (t.equalsIgnoreCase("false")) {
        return false;
      }
    }
    throw ConfigValidationException.of(property, value,
        property + " must be true or false, but was " + describe(value));
  }

  /** The trimmed, lower-case text of a value (class values give their name). */
  static String asText(Object value) {
    String text = value instanceof Class<?> c ? c.getName() : String.valueOf(value);
    return text.trim().toLowerCase(Locale.ROOT);
  }

  /** The trimmed text of a value, case kept (class values give their name). */
  static String asTextKeepCase(Object value) {
    return (value instanceof Class<?> c ? c.getName() : String.valueOf(value)).trim();
  }

  /** Class names from a comma-separated String, a Class, or a List of Strings and Classes. */
  static List<String> asClassNames(String property, Object value) {
    List<String> names = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (Object item : list) {
        addClassName(property, value, item, names);
      }
    } else {
      addClassName(property, value, value, names);
    }
    return names;
  }

  private static void addClassName(String property, Object whole, @Nullable Object item, List<String> names) {
    if (item instanceof Class<?> c) {
      names.add(c.getName());
    } else if (item instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          names.add(part.trim());
        }
      }
    } else {
      throw ConfigValidationException.of(property, whole, property
          + " must be class names (a comma-separated String, a Class or a List of them), but was "
          + describe(whole));
    }
  }

  /** A value as shown in messages: Strings quoted so blanks are visible, others with their type. */
  static String describe(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return "\"" + s + "\"";
    }
    return value + " (" + value.getClass().getSimpleName() + ")";
  }
}

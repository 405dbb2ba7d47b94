package io.github.kafkadedup.producer;

import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Renders settings for {@code toString()} with secrets hidden. */
final class SettingsText {
  private SettingsText() {}

  static String masked(Map<String, Object> settings) {
    StringJoiner text = new StringJoiner(", ", "{", "}");
    settings.forEach((key, value) -> text.add(key + "=" + (secret(key) ? "[hidden]" : value)));
    return text.toString();
  }

  private static boolean secret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token");
  }
}

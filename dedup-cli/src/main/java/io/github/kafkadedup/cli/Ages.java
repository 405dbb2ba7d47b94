package io.github.kafkadedup.cli;

import org.jspecify.annotations.Nullable;

/** Durations in seconds as an operator reads them: "42 s", "3 min", "2 h 5 min", "3 d 4 h". */
final class Ages {
  private Ages() {}

  static String of(@Nullable Long seconds) {
    if (seconds == null) {
      return "-";
    }
    long s = Math.max(0, seconds);
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200) {
      return s / 60 + " min";
    }
    if (s < 172_800) {
      return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    }
    return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
  }

  static String ago(@Nullable Long seconds) {
    return seconds == null ? "-" : of(seconds) + " ago";
  }
}

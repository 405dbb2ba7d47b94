package io.github.kafkadedup.reliability;

/**
 * The two sizes of every scenario: fast (the default, CI) and soak ({@code -Psoak}, system property
 * {@code dedup.soak=true}). Seeds are fixed per scenario so a failure replays; {@code -Ddedup.seed=N}
 * overrides them all.
 */
final class Sizes {
  static final boolean SOAK = Boolean.getBoolean("dedup.soak");

  private Sizes() {}

  /** {@code fast} normally, {@code soak} under {@code -Psoak}. */
  static int pick(int fast, int soak) {
    return SOAK ? soak : fast;
  }

  /** The scenario's fixed seed, or {@code -Ddedup.seed}. */
  static long seed(long fixed) {
    String override = System.getProperty("dedup.seed");
    return override == null || override.isBlank() ? fixed : Long.parseLong(override.strip());
  }

  /** "fast" or "soak", for the figures. */
  static String profile() {
    return SOAK ? "soak" : "fast";
  }
}

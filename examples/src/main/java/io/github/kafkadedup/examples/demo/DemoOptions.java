package io.github.kafkadedup.examples.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's command-line options.
 *
 * @param messages unique orders to publish
 * @param duplicates application re-sends on top of them (each re-sends an earlier order with its key)
 * @param consumers consumers in the group (one more joins and leaves during the run)
 * @param kills consumers killed with SIGKILL mid-batch (each is restarted)
 * @param seconds how long publishing is spread over, so the crashes and rebalances happen mid-stream
 * @param dedup false for {@code --no-dedup}: the same consumers without the library
 */
record DemoOptions(int messages, int duplicates, int consumers, int kills, int seconds, boolean dedup) {

  static final String USAGE = """
      usage: ./demo [--messages N] [--duplicates N] [--consumers N] [--kill N] [--seconds N] [--no-dedup]

        --messages N     unique orders to publish (default 20000)
        --duplicates N   application re-sends of earlier orders, same idempotency key (default 10% of messages)
        --consumers N    consumers in the group, each a separate JVM (default 3; one more joins and leaves)
        --kill N         consumers killed with SIGKILL mid-batch and restarted (default 2)
        --seconds N      spread publishing over N seconds so crashes happen mid-stream (default 12)
        --no-dedup       the same consumers writing without kafka-dedup (at-least-once): expect FAIL

      environment: DEDUP_JDBC_URL (+ DEDUP_JDBC_USER, DEDUP_JDBC_PASSWORD) and DEDUP_KAFKA_BOOTSTRAP use
      your own PostgreSQL and Kafka (4.0 or newer: the consumers use the KIP-848 group protocol) instead of
      the embedded ones; the demo then works in schema kafka_dedup_demo (dropped and created again) and on
      a new topic (deleted at the end).
      """;

  DemoOptions {
    positive("--messages", messages);
    atLeast("--duplicates", duplicates, 0);
    atLeast("--consumers", consumers, 1);
    atLeast("--kill", kills, 0);
    positive("--seconds", seconds);
  }

  /**
   * Parses {@code args}.
   *
   * @throws IllegalArgumentException naming the bad option
   */
  static DemoOptions parse(String... args) {
    int messages = 20_000;
    Integer duplicates = null;
    int consumers = 3;
    int kills = 2;
    int seconds = 12;
    boolean dedup = true;
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String option = rest.removeFirst();
      switch (option) {
        case "--messages" -> messages = intValue(option, rest);
        case "--duplicates" -> duplicates = intValue(option, rest);
        case "--consumers" -> consumers = intValue(option, rest);
        case "--kill" -> kills = intValue(option, rest);
        case "--seconds" -> seconds = intValue(option, rest);
        case "--no-dedup" -> dedup = false;
        default -> throw new IllegalArgumentException("unknown option '" + option + "'");
      }
    }
    return new DemoOptions(messages, duplicates != null ? duplicates : messages / 10, consumers, kills, seconds,
        dedup);
  }

  int published() {
    return messages + duplicates;
  }

  private static int intValue(String option, List<String> rest) {
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(option + " needs a number");
    }
    String value = rest.removeFirst();
    try {
      return Integer.parseInt(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number, but was '" + value + "'");
    }
  }

  private static void positive(String option, int value) {
    atLeast(option, value, 1);
  }

  private static void atLeast(String option, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(option + " must be at least " + min + ", but was " + value);
    }
  }
}

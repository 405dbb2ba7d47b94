package io.github.kafkadedup.cli;

/** The exit codes of every subcommand (documented in {@code docs/operations.md}). */
final class ExitCodes {
  /** Done; for lookup and forget: the key was found; for dead-letters show/replay/discard: every id was. */
  static final int OK = 0;
  /** lookup / forget: no claim for that key in that scope; dead-letters show/replay/discard: no such id. */
  static final int NOT_FOUND = 1;
  /** Wrong options (picocli's own code for usage errors). */
  static final int USAGE = 2;
  /** The database or Kafka cannot be reached, the login is refused, or the role lacks a right. */
  static final int CONNECTION = 3;
  /** kafka-dedup's tables are not in that schema: run {@code kafka-dedup migrate}. */
  static final int NOT_MIGRATED = 4;
  /**
   * Any other failure (a database error, a failed migration); dead-letters replay/discard: a dead letter's
   * state forbids it (already replayed or discarded).
   */
  static final int FAILED = 5;
  /**
   * dead-letters replay/discard with {@code --rate}: some chunks were done, then one was refused; the output says
   * how many of how many.
   */
  static final int PARTIAL = 6;

  private ExitCodes() {}
}

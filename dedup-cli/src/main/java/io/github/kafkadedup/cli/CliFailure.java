package io.github.kafkadedup.cli;

/**
 * A failure the command reports as one line on stderr and an exit code, without a stack trace: the
 * message says what is wrong and what to do.
 */
final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  private CliFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }

  /** A wrong option or combination of options (exit 2, as picocli's own usage errors). */
  static CliFailure usage(String message) {
    return new CliFailure(ExitCodes.USAGE, message);
  }

  /** The database or broker cannot be reached, or the login is refused (exit 3). */
  static CliFailure connection(String message) {
    return new CliFailure(ExitCodes.CONNECTION, message);
  }

  /** The role lacks a right; the message names the GRANT (exit 3). */
  static CliFailure permission(String message) {
    return new CliFailure(ExitCodes.CONNECTION, message);
  }

  /** kafka-dedup's tables are missing (exit 4). */
  static CliFailure notMigrated(String message) {
    return new CliFailure(ExitCodes.NOT_MIGRATED, message);
  }

  /** Anything else that went wrong in the database or broker (exit 5). */
  static CliFailure failed(String message) {
    return new CliFailure(ExitCodes.FAILED, message);
  }
}

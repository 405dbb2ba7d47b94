package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The library's {@link DeadLetters} on the command's database and schema, with its failures turned into the
 * command's messages and exit codes (a missing right names the GRANT, as everywhere in the command).
 */
final class DeadLetterOps {
  private final DeadLetters deadLetters;
  private final String command;

  private DeadLetterOps(DeadLetters deadLetters, String command) {
    this.deadLetters = deadLetters;
    this.command = command;
  }

  static DeadLetterOps of(DbOptions db, Tables t) {
    return new DeadLetterOps(DeadLetters.of(db.dataSource(), t.schema), "dead-letters");
  }

  List<DeadLetter> list(DeadLetters.Query query) {
    try {
      return deadLetters.list(query);
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, command + " list");
    }
  }

  Optional<DeadLetter> show(long id) {
    try {
      return deadLetters.show(id);
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, command + " show " + id);
    }
  }

  /**
   * Replays one dead letter, or says what that would do ({@code dryRun}: the same transaction, rolled back);
   * {@link java.util.NoSuchElementException} and {@link IllegalStateException} go to the caller.
   */
  DeadLetters.ReplayResult replay(long id, @Nullable String operator, String reason, boolean dryRun) {
    try {
      return deadLetters.replay(id, operator, reason, dryRun);
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, command + " replay " + id + " (nothing was changed)");
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage(e.getMessage());
    }
  }

  /**
   * Replays or discards one dead letter; {@link java.util.NoSuchElementException} (no such id) and
   * {@link IllegalStateException} (its state forbids it) go to the caller, which reports them per id.
   */
  DeadLetter act(boolean replay, long id, @Nullable String operator, String reason) {
    try {
      return replay ? deadLetters.replay(id, operator, reason) : deadLetters.discard(id, operator, reason);
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, command + (replay ? " replay " : " discard ") + id + " (nothing was changed)");
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage(e.getMessage());
    }
  }
}

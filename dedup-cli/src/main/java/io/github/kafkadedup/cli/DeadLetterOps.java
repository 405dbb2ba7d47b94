package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.outbox.FailureGroup;
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

  List<FailureGroup> groups(DeadLetters.Query query) {
    try {
      return deadLetters.groups(query);
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, command + " groups");
    }
  }

  /**
   * Replays or discards all of {@code ids} in one transaction, or none ({@code dryRun}, replay only: rolled back);
   * {@link java.util.NoSuchElementException} and {@link IllegalStateException} (nothing changed) go to the caller.
   */
  List<DeadLetter> actAll(boolean replay, List<Long> ids, @Nullable String operator, String reason,
      DeadLetters.@Nullable Followers followers, boolean dryRun) {
    try {
      return replay ? deadLetters.replayAll(ids, operator, reason, dryRun)
          : deadLetters.discardAll(ids, operator, reason, followers);
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, command + (replay ? " replay" : " discard") + " of " + ids.size()
          + " dead letter(s) (nothing was changed)");
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage(e.getMessage());
    }
  }

  Optional<DeadLetter> show(long id) {
    try {
      return deadLetters.show(id);
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, command + " show " + id);
    }
  }
}

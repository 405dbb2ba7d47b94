package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetters;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The filters of the commands that read dead letters ({@code list}, {@code groups}): the shared ones of
 * {@link DeadLetterFilterOptions} plus the dead-letter reason and state.
 */
final class DeadLetterReadFilters {
  @Mixin
  DeadLetterFilterOptions shared = new DeadLetterFilterOptions();

  @Option(names = "--state", paramLabel = "STATE", converter = DeadLetterEnums.StateConverter.class,
      description = "only this state: pending, published, held, parked, replayed, discarded, superseded")
  DeadLetters.@Nullable State state;

  @Option(names = "--reason", paramLabel = "REASON", converter = DeadLetterEnums.ReasonConverter.class,
      description = "only this reason: handler_failed, undeserializable, missing_key, invalid_key, key_too_long, "
          + "dead_lettered_before, unpublishable, sequence_parked")
  void reason(DeadLetters.@Nullable Reason value) {
    shared.reason = value;
  }

  /** A query builder with every filter set. */
  DeadLetters.Query.Builder query() {
    return shared.applyTo(DeadLetters.Query.builder()).state(state);
  }
}

package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetters;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The filters that select dead letters ({@code list}, {@code groups}, and {@code replay}/{@code discard} by
 * filter): scope, source topic, failure group, dedup key, record key, age; the dead-letter reason is an option of
 * each command ({@code --reason} is the operator's "why" in replay and discard).
 */
final class DeadLetterFilterOptions {
  @Option(names = "--scope", paramLabel = "SCOPE", description = "only this dedup scope")
  @Nullable String scope;

  @Option(names = "--topic", paramLabel = "TOPIC", description = "only records from this source topic")
  @Nullable String topic;

  @Option(names = "--group", paramLabel = "FINGERPRINT",
      description = "only this failure group (the GROUP column of dead-letters groups)")
  @Nullable String group;

  @Option(names = "--key", paramLabel = "KEY", description = "only this dedup (idempotency) key")
  @Nullable String key;

  @Option(names = "--record-key", paramLabel = "TEXT", description = "only records whose Kafka record key is TEXT")
  @Nullable String recordKey;

  @Option(names = "--since", paramLabel = "WHEN",
      description = "only dead letters stored since WHEN: an instant (2026-12-07T09:00:00Z) or an age (90m, 36h, 7d)")
  @Nullable String since;

  /** The dead-letter reason filter: {@code --reason} of list and groups, {@code --failure-reason} of actions. */
  DeadLetters.@Nullable Reason reason;

  /** Whether any filter is set. */
  boolean any() {
    return scope != null || topic != null || reason != null || group != null || key != null || recordKey != null
        || since != null;
  }

  /** {@code builder} with these filters. */
  DeadLetters.Query.Builder applyTo(DeadLetters.Query.Builder builder) {
    return builder.scope(scope).topic(topic).reason(reason).group(group).key(key).recordKey(recordKey)
        .since(sinceInstant());
  }

  private @Nullable Instant sinceInstant() {
    if (since == null) {
      return null;
    }
    try {
      return Instant.parse(since.trim());
    } catch (DateTimeParseException e) {
      return Instant.now().minus(RetentionOptions.duration("--since", since));
    }
  }
}

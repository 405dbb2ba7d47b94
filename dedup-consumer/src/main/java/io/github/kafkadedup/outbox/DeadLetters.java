package io.github.kafkadedup.outbox;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.internal.PostgresDeadLetters;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The operator's view of the {@code dead_letters} table (migration V5): list, show, replay, discard.
 *
 * <p>A record the engine dead-letters with {@code Recoverer.deadLetterTable} is stored there in the same
 * transaction as its key's {@code D} claim, and its copy for the dead-letter topic is published by the
 * {@link OutboxRelay} ({@link State#PENDING} until then, {@link State#PUBLISHED} after). A copy the relay can
 * never publish (too large for its producer, invalid) is {@link State#HELD}; so is any outbox row the relay
 * could never publish ({@link Reason#UNPUBLISHABLE}).
 *
 * <p>{@link #replay} and {@link #discard} each run in one transaction that also records who, when and why,
 * on the row and in {@code dedup_audit} (action {@code dead-letter-replay} / {@code dead-letter-discard}).
 * They need rights the consumers' runtime role does not have (deleting claims, writing the audit): run them
 * as the schema's owner role, like {@code kafka-dedup forget}.
 *
 * <pre>{@code
 * DeadLetters deadLetters = DeadLetters.of(dataSource);
 * for (DeadLetter d : deadLetters.list(DeadLetters.Query.builder().state(DeadLetters.State.HELD).build())) {
 *   System.out.println(d.id() + " " + d.source() + " " + d.reason() + " " + d.exceptionMessage());
 * }
 * deadLetters.replay(42, "alice", "fixed the price parser (INC-7)");
 * }</pre>
 */
public interface DeadLetters {

  /**
   * Dead letters in the default schema ({@link DedupSchema#DEFAULT}).
   *
   * @param dataSource the database; each call takes one connection and returns it
   * @return the operations
   */
  static DeadLetters of(DataSource dataSource) {
    return of(dataSource, DedupSchema.DEFAULT);
  }

  /**
   * Dead letters in {@code schema}.
   *
   * @param dataSource the database; each call takes one connection and returns it
   * @param schema where the migrations created the tables
   * @return the operations
   */
  static DeadLetters of(DataSource dataSource, DedupSchema schema) {
    return new PostgresDeadLetters(Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(schema, "schema"));
  }

  /**
   * The dead letters that match {@code query}, in id order (oldest first), without their bytes
   * ({@link DeadLetter#payload()} is {@code null}). Page with {@link Query.Builder#afterId}: pass the last
   * id of a page to get the next one.
   *
   * @param query filters and paging
   * @return at most {@link Query#limit()} dead letters
   * @throws SQLException if the database fails
   */
  List<DeadLetter> list(Query query) throws SQLException;

  /**
   * One dead letter with its bytes, original headers and stack trace.
   *
   * @param id its id
   * @return it, or empty if there is no such row
   * @throws SQLException if the database fails
   */
  Optional<DeadLetter> show(long id) throws SQLException;

  /**
   * Runs the record through its consumer again, exactly once: {@link #replay(long, String, String, boolean)}
   * with {@code dryRun} false, returning the row after it ({@link State#REPLAYED}, or {@link State#SUPERSEDED}
   * if its key had been applied since).
   *
   * @param id the dead letter
   * @param operator who (free text, e.g. a person behind a shared role), or {@code null}
   * @param reason why (required, not blank)
   * @return the row after the replay
   * @throws IllegalArgumentException if {@code reason} is blank
   * @throws java.util.NoSuchElementException if there is no such row
   * @throws IllegalStateException if its state does not allow a replay (e.g. already replayed, or superseded)
   * @throws SQLException if the database fails (nothing was changed)
   */
  default DeadLetter replay(long id, @Nullable String operator, String reason) throws SQLException {
    return replay(id, operator, reason, false).deadLetter();
  }

  /**
   * Runs the record through its consumer again, exactly once, or says what that would do ({@code dryRun}: the
   * same transaction, rolled back, so a dry run reports exactly what a real run records). One transaction:
   *
   * <ul>
   *   <li>If its key holds a {@code P} claim (the key was applied since: a replay of another dead letter of the
   *       key, a corrected re-send after {@code kafka-dedup forget}), nothing is sent and no claim is touched:
   *       the row and the key's other open dead letters become {@link State#SUPERSEDED}, audited as
   *       {@code dead-letter-superseded}. A replay never removes a {@code P} claim.
   *   <li>Otherwise its key's {@code D} claims are removed (in every generation of its scope; none if it had no
   *       key), the original record (key, value, headers as they came in) is written to the outbox for its
   *       source topic, and the row becomes {@link State#REPLAYED} (audited as {@code dead-letter-replay}, with
   *       the removed claim). The key's other open dead letters (re-sends of it) become {@link State#SUPERSEDED}:
   *       a key is replayed once, whichever of its dead letters is chosen.
   * </ul>
   *
   * <p>The relay then publishes the copy; the consumer finds its key free and handles it once; a second copy
   * (a relay's re-publish) is a duplicate of that claim. The copy keeps the original {@code idempotency-key}
   * header, or gets one derived from the dead letter's id. If the dead letter's copy was still waiting in the
   * outbox, it is removed. Allowed from {@link State#PENDING}, {@link State#PUBLISHED} and {@link State#HELD}.
   * Key strategies that derive the key from the record's offset ({@code KeyStrategy.topicPartitionOffset}) see
   * a new key anyway. A record too large for the relay's producer is held again, as {@link Reason#UNPUBLISHABLE}.
   *
   * @param id the dead letter
   * @param operator who (free text, e.g. a person behind a shared role), or {@code null}
   * @param reason why (required, not blank)
   * @param dryRun true: roll the transaction back and report what it did
   * @return what was (or would be) done
   * @throws IllegalArgumentException if {@code reason} is blank
   * @throws java.util.NoSuchElementException if there is no such row
   * @throws IllegalStateException if its state does not allow a replay (e.g. already replayed, or superseded)
   * @throws SQLException if the database fails (nothing was changed); two concurrent replays of dead letters of
   *     one key may make one of them fail with a deadlock error
   */
  ReplayResult replay(long id, @Nullable String operator, String reason, boolean dryRun) throws SQLException;

  /**
   * What {@link #replay(long, String, String, boolean)} did, or would do.
   *
   * @param deadLetter the row after it: {@link State#REPLAYED} (its record went to the outbox) or
   *     {@link State#SUPERSEDED} (its key had been applied since: nothing sent)
   * @param dryRun whether it was rolled back
   * @param removedClaimStatus {@code "D"} if a {@code D} claim of its key was removed, else {@code null}
   * @param superseded the dead letters marked {@link State#SUPERSEDED} (this one, if its key had been applied; else
   *     the other open dead letters of its key)
   */
  record ReplayResult(DeadLetter deadLetter, boolean dryRun, @Nullable String removedClaimStatus,
      List<Long> superseded) {
    /**
     * Copies the list.
     *
     * @throws NullPointerException if {@code deadLetter} or {@code superseded} is null
     */
    public ReplayResult {
      Objects.requireNonNull(deadLetter, "deadLetter");
      superseded = List.copyOf(superseded);
    }

    /** @return whether the original record went (or would go) to the outbox */
    public boolean sent() {
      return deadLetter.state() == State.REPLAYED;
    }
  }

  /**
   * Gives the record up: marks the row {@link State#DISCARDED} and removes its copy from the outbox if it
   * was not yet published. The key's {@code D} claim stays, so a re-send of the key follows
   * {@code DedupConfig.deadLetteredReplay}. Allowed from {@link State#PENDING}, {@link State#PUBLISHED}
   * and {@link State#HELD}.
   *
   * @param id the dead letter
   * @param operator who (free text), or {@code null}
   * @param reason why (required, not blank)
   * @return the row after the discard
   * @throws IllegalArgumentException if {@code reason} is blank
   * @throws java.util.NoSuchElementException if there is no such row
   * @throws IllegalStateException if its state does not allow a discard (already replayed or discarded)
   * @throws SQLException if the database fails (nothing was changed)
   */
  DeadLetter discard(long id, @Nullable String operator, String reason) throws SQLException;

  /** Where a dead letter is; stored in lower case ({@code pending}, ...). */
  enum State {
    /** Stored; its copy waits in the outbox for the relay. */
    PENDING,
    /** Its copy is on the dead-letter topic. */
    PUBLISHED,
    /** The relay can never publish it (too large for its producer, invalid): an operator decides. */
    HELD,
    /** Put back on its source topic by {@link DeadLetters#replay} (final). */
    REPLAYED,
    /** Given up by {@link DeadLetters#discard} (final). */
    DISCARDED,
    /**
     * Not replayed because its key was replayed through another of its dead letters, or applied since (final);
     * see {@link DeadLetters#replay(long, String, String, boolean)}.
     */
    SUPERSEDED;

    /** @return the value in the {@code state} column */
    public String column() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Why a record was dead-lettered; stored in lower case ({@code handler_failed}, ...). */
  enum Reason {
    /** The handler failed, also when the record was retried alone. */
    HANDLER_FAILED,
    /** The consumer's deserializer could not read it. */
    UNDESERIALIZABLE,
    /** The key strategy found no key. */
    MISSING_KEY,
    /** The key was unusable (e.g. not UTF-8). */
    INVALID_KEY,
    /** The key was longer than {@code maxKeyBytes}. */
    KEY_TOO_LONG,
    /** A re-send of a key dead-lettered before ({@code DeadLetteredReplay.RECOVER}). */
    DEAD_LETTERED_BEFORE,
    /** Not a consumed record: an outbox row the relay can never publish, set aside. */
    UNPUBLISHABLE;

    /** @return the value in the {@code reason} column */
    public String column() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Filters and paging of {@link DeadLetters#list}; every filter is optional (null: any).
   *
   * @param scope only this dedup scope
   * @param state only this state
   * @param reason only this reason
   * @param topic only records from this source topic
   * @param afterId only ids greater than this (0: from the start)
   * @param limit at most this many rows, 1 to 10,000
   */
  record Query(@Nullable String scope, @Nullable State state, @Nullable Reason reason, @Nullable String topic,
      long afterId, int limit) {
    /** The largest {@link #limit}. */
    public static final int MAX_LIMIT = 10_000;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the property, if {@code afterId < 0} or {@code limit} is out
     *     of range
     */
    public Query {
      if (afterId < 0) {
        throw new IllegalArgumentException("afterId must be >= 0, but was " + afterId);
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", but was " + limit);
      }
    }

    /** @return a builder: no filter, from the start, limit 100 */
    public static Builder builder() {
      return new Builder();
    }

    /** Builds a {@link Query}; each setter checks its argument. */
    public static final class Builder {
      private @Nullable String scope;
      private @Nullable State state;
      private @Nullable Reason reason;
      private @Nullable String topic;
      private long afterId;
      private int limit = 100;

      private Builder() {}

      /**
       * @param value only this scope, or null for any
       * @return this
       */
      public Builder scope(@Nullable String value) {
        this.scope = value;
        return this;
      }

      /**
       * @param value only this state, or null for any
       * @return this
       */
      public Builder state(@Nullable State value) {
        this.state = value;
        return this;
      }

      /**
       * @param value only this reason, or null for any
       * @return this
       */
      public Builder reason(@Nullable Reason value) {
        this.reason = value;
        return this;
      }

      /**
       * @param value only this source topic, or null for any
       * @return this
       */
      public Builder topic(@Nullable String value) {
        this.topic = value;
        return this;
      }

      /**
       * @param value only ids greater than this; default 0
       * @return this
       * @throws IllegalArgumentException if negative
       */
      public Builder afterId(long value) {
        if (value < 0) {
          throw new IllegalArgumentException("afterId must be >= 0, but was " + value);
        }
        this.afterId = value;
        return this;
      }

      /**
       * @param value at most this many rows; default 100
       * @return this
       * @throws IllegalArgumentException if not between 1 and {@link #MAX_LIMIT}
       */
      public Builder limit(int value) {
        if (value < 1 || value > MAX_LIMIT) {
          throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", but was " + value);
        }
        this.limit = value;
        return this;
      }

      /** @return the query */
      public Query build() {
        return new Query(scope, state, reason, topic, afterId, limit);
      }
    }
  }
}

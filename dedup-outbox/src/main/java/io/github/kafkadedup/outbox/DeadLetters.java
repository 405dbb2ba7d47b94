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
 *
 * <p>Sealed: the factory methods here make the one implementation (in the {@code internal} package); users call it,
 * they do not implement it.
 */
public sealed interface DeadLetters permits PostgresDeadLetters {

  /**
   * The header a replayed record carries: the id of the dead letter it is the copy of ({@value}), in ASCII
   * digits. A consumer with sequencing uses it to apply a parked sequence's replayed records in order.
   */
  String REPLAY_OF_HEADER = "dedup-replay-of";

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
   * <p><b>Sequencing.</b> Replaying the head of a parked sequence (a consumer with {@code Sequencing}) replays
   * the sequence: the head and every record parked behind it, in offset order, each as above, each row
   * audited; the consumer applies them in that order, each once, and releases the sequence after the last.
   * A parked record itself cannot be replayed (replay its head).
   *
   * @param id the dead letter
   * @param operator who (free text, e.g. a person behind a shared role), or {@code null}
   * @param reason why (required, not blank)
   * @return the row after the replay
   * @throws IllegalArgumentException if {@code reason} is blank
   * @throws java.util.NoSuchElementException if there is no such row
   * @throws IllegalStateException if its state does not allow a replay (e.g. already replayed, superseded, or
   *     parked)
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
   * @throws IllegalStateException if its state does not allow a discard (already replayed or discarded, or
   *     parked), or if it heads a parked sequence with records behind it (use
   *     {@link #discard(long, String, String, Followers)})
   * @throws SQLException if the database fails (nothing was changed)
   */
  DeadLetter discard(long id, @Nullable String operator, String reason) throws SQLException;

  /**
   * {@link #discard(long, String, String)} of the head of a parked sequence (sequencing), choosing what happens
   * to the records parked behind it: {@link Followers#RELEASE} replays them in offset order (as
   * {@link #replay} would, the head excepted), {@link Followers#DISCARD} discards them with it and the sequence
   * flows again. Every row is audited. For a dead letter that heads no sequence it is the plain discard.
   *
   * @param id the dead letter
   * @param operator who (free text), or {@code null}
   * @param reason why (required, not blank)
   * @param followers what happens to the records parked behind it
   * @return the head's row after the discard
   * @throws IllegalArgumentException if {@code reason} is blank
   * @throws java.util.NoSuchElementException if there is no such row
   * @throws IllegalStateException if its state does not allow a discard
   * @throws SQLException if the database fails (nothing was changed)
   */
  DeadLetter discard(long id, @Nullable String operator, String reason, @Nullable Followers followers)
      throws SQLException;

  /**
   * {@link #replay} of each of {@code ids}, in the given order, in ONE transaction: all of them are replayed, or
   * none (the first refusal rolls back the others and is thrown). Each row is audited. A key is replayed once:
   * when several of {@code ids} are dead letters of one key, the first replays it and the others become
   * {@link State#SUPERSEDED} (not a refusal); a dead letter whose key was applied since is superseded, not sent.
   *
   * @param ids the dead letters (repeats are ignored)
   * @param operator who (free text), or {@code null}
   * @param reason why (required, not blank)
   * @return the rows after the replay ({@link State#REPLAYED} or {@link State#SUPERSEDED}), in the order of
   *     {@code ids}
   * @throws IllegalArgumentException if {@code reason} is blank
   * @throws java.util.NoSuchElementException if one id has no row (nothing was changed)
   * @throws IllegalStateException if one dead letter's state does not allow a replay (nothing was changed)
   * @throws SQLException if the database fails (nothing was changed)
   */
  default List<DeadLetter> replayAll(List<Long> ids, @Nullable String operator, String reason) throws SQLException {
    return replayAll(ids, operator, reason, false);
  }

  /**
   * {@link #replayAll(List, String, String)}, or what it would do ({@code dryRun}: the same transaction, rolled
   * back, so it reports exactly what a real run records).
   *
   * @param ids the dead letters (repeats are ignored)
   * @param operator who (free text), or {@code null}
   * @param reason why (required, not blank)
   * @param dryRun true: roll the transaction back
   * @return the rows after the replay ({@link State#REPLAYED} or {@link State#SUPERSEDED}), in the order of
   *     {@code ids}
   * @throws IllegalArgumentException if {@code reason} is blank
   * @throws java.util.NoSuchElementException if one id has no row (nothing was changed)
   * @throws IllegalStateException if one dead letter's state does not allow a replay (nothing was changed)
   * @throws SQLException if the database fails (nothing was changed)
   */
  List<DeadLetter> replayAll(List<Long> ids, @Nullable String operator, String reason, boolean dryRun)
      throws SQLException;

  /**
   * {@link #discard(long, String, String, Followers)} of each of {@code ids}, in ONE transaction: all of them
   * are discarded, or none. Each row is audited.
   *
   * @param ids the dead letters (repeats are ignored)
   * @param operator who (free text), or {@code null}
   * @param reason why (required, not blank)
   * @param followers what happens to records parked behind a head among them; {@code null}: refuse a head with
   *     records parked behind it
   * @return the rows after the discard, in the order of {@code ids}
   * @throws IllegalArgumentException if {@code reason} is blank
   * @throws java.util.NoSuchElementException if one id has no row (nothing was changed)
   * @throws IllegalStateException if one dead letter's state does not allow a discard (nothing was changed)
   * @throws SQLException if the database fails (nothing was changed)
   */
  List<DeadLetter> discardAll(List<Long> ids, @Nullable String operator, String reason,
      @Nullable Followers followers) throws SQLException;

  /**
   * The failure groups of the dead letters that match {@code query} (its paging ignored): dead letters of one
   * scope, source topic, reason, exception class and exception message (numbers and ids masked) form one
   * group, largest first.
   *
   * @param query filters (scope, state, reason, topic); {@code afterId} and {@code limit} are ignored
   * @return the groups, largest first, at most 1,000
   * @throws SQLException if the database fails
   */
  List<FailureGroup> groups(Query query) throws SQLException;

  /** What {@link #discard(long, String, String, Followers)} does with the records parked behind a head. */
  enum Followers {
    /** Replay them in offset order: the sequence goes on without the head. */
    RELEASE,
    /** Discard them with the head: the sequence goes on with its next record. */
    DISCARD
  }

  /** Where a dead letter is; stored in lower case ({@code pending}, ...). */
  enum State {
    /** Stored; its copy waits in the outbox for the relay. */
    PENDING,
    /** Its copy is on the dead-letter topic. */
    PUBLISHED,
    /** The relay can never publish it (too large for its producer, invalid): an operator decides. */
    HELD,
    /** Waits behind the dead letter that heads its sequence (sequencing); follows its head's fate. */
    PARKED,
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
    UNPUBLISHABLE,
    /** Not failed: parked behind an earlier dead letter of its sequence (sequencing). */
    SEQUENCE_PARKED;

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
   * @param group only this failure group ({@link FailureGroup#fingerprint()})
   * @param key only this dedup (idempotency) key
   * @param recordKey only records whose Kafka record key is these UTF-8 bytes
   * @param since only dead letters stored at or after this instant
   */
  record Query(@Nullable String scope, @Nullable State state, @Nullable Reason reason, @Nullable String topic,
      long afterId, int limit, @Nullable String group, @Nullable String key, @Nullable String recordKey,
      java.time.@Nullable Instant since) {
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

    /**
     * A query without the group, key, record key and time filters.
     *
     * @param scope only this dedup scope
     * @param state only this state
     * @param reason only this reason
     * @param topic only records from this source topic
     * @param afterId only ids greater than this (0: from the start)
     * @param limit at most this many rows, 1 to 10,000
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Query(@Nullable String scope, @Nullable State state, @Nullable Reason reason, @Nullable String topic,
        long afterId, int limit) {
      this(scope, state, reason, topic, afterId, limit, null, null, null, null);
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
      private @Nullable String group;
      private @Nullable String key;
      private @Nullable String recordKey;
      private java.time.@Nullable Instant since;

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

      /**
       * @param value only this failure group (fingerprint), or null for any
       * @return this
       */
      public Builder group(@Nullable String value) {
        this.group = value;
        return this;
      }

      /**
       * @param value only this dedup (idempotency) key, or null for any
       * @return this
       */
      public Builder key(@Nullable String value) {
        this.key = value;
        return this;
      }

      /**
       * @param value only records whose Kafka record key is this text (UTF-8), or null for any
       * @return this
       */
      public Builder recordKey(@Nullable String value) {
        this.recordKey = value;
        return this;
      }

      /**
       * @param value only dead letters stored at or after this instant, or null for any
       * @return this
       */
      public Builder since(java.time.@Nullable Instant value) {
        this.since = value;
        return this;
      }

      /** @return the query */
      public Query build() {
        return new Query(scope, state, reason, topic, afterId, limit, group, key, recordKey, since);
      }
    }
  }
}

package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The operator's replay and discard of a parked sequence's head (sequencing), inside the transaction of
 * {@link PostgresDeadLetters}: the records parked behind the head are replayed in offset order (each copy
 * written to the outbox after the previous one, so the relay publishes them in that order) or discarded with
 * it; each row gets its action and its audit row.
 */
final class SequenceOperations {
  private final PostgresDeadLetters operations;
  private final DeadLetterRows rows;
  private final ParkedSequences parked;

  SequenceOperations(DedupSchema schema, PostgresDeadLetters operations, DeadLetterRows rows) {
    this.operations = operations;
    this.rows = rows;
    this.parked = new ParkedSequences(schema);
  }

  /** The parked sequence {@code head} heads (locked), or null if it heads none. */
  ParkedSequences.@Nullable Id headed(Connection c, DeadLetter head) throws SQLException {
    return parked.lockHeaded(c, head.id(), head.scope(), head.sourceTopic(), head.sourcePartition(),
        head.sequenceKey());
  }

  /** Replays the head and then every record parked behind it; the sequence is replaying until the last. */
  PostgresDeadLetters.Removed replay(Connection c, DeadLetter head, ParkedSequences.Id sequence,
      @Nullable String operator, String reason) throws SQLException {
    PostgresDeadLetters.Removed removed = operations.removeClaim(c, head);
    operations.deleteWaitingCopy(c, head.id());
    enqueue(c, head);
    List<Long> followers = parked.parked(c, sequence);
    replayFollowers(c, head, followers, operator, reason);
    parked.replaying(c, sequence, 1 + followers.size());
    return removed;
  }

  /** After the head's discard: its followers are released (replayed in order) or discarded with it. */
  void discard(Connection c, DeadLetter head, ParkedSequences.Id sequence, DeadLetters.@Nullable Followers followers,
      @Nullable String operator, String reason) throws SQLException {
    List<Long> ids = parked.parked(c, sequence);
    if (ids.isEmpty()) {
      parked.release(c, sequence);
      return;
    }
    if (followers == null) {
      throw new IllegalStateException("dead letter " + head.id() + " heads sequence '" + sequence.key() + "' of "
          + sequence.topic() + "-" + sequence.partition() + " with " + ids.size() + " record(s) parked behind it: "
          + "say whether they are released in order (Followers.RELEASE, --release) or discarded with it "
          + "(Followers.DISCARD, --with-followers)");
    }
    if (followers == DeadLetters.Followers.RELEASE) {
      replayFollowers(c, head, ids, operator, reason);
      parked.replaying(c, sequence, ids.size());
      return;
    }
    for (long id : ids) {
      DeadLetter follower = Objects.requireNonNull(rows.find(c, id, true));
      rows.recordAction(c, id, DeadLetters.State.DISCARDED, operator, behind(head, reason));
      operations.audit(c, follower, "dead-letter-discard", operator, behind(head, reason),
          PostgresDeadLetters.Removed.NONE);
    }
    parked.release(c, sequence);
  }

  private void replayFollowers(Connection c, DeadLetter head, List<Long> ids, @Nullable String operator,
      String reason) throws SQLException {
    for (long id : ids) {
      DeadLetter follower = Objects.requireNonNull(rows.find(c, id, true));
      PostgresDeadLetters.Removed removed = operations.removeClaim(c, follower);
      enqueue(c, follower);
      rows.recordAction(c, id, DeadLetters.State.REPLAYED, operator, behind(head, reason));
      operations.audit(c, follower, "dead-letter-replay", operator, behind(head, reason), removed);
    }
  }

  private void enqueue(Connection c, DeadLetter d) throws SQLException {
    DeadLetter.Payload p = Objects.requireNonNull(d.payload());
    parked.enqueueCopy(c, d.id(), d.sourceTopic(), p.key(), p.value(), p.headers());
  }

  private static String behind(DeadLetter head, String reason) {
    return reason + " (parked behind dead letter " + head.id() + ")";
  }
}

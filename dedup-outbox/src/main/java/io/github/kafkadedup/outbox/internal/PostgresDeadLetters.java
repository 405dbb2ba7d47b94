package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.outbox.FailureGroup;
import io.github.kafkadedup.outbox.Outbox;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/** {@link DeadLetters} on the {@code dead_letters} table: one connection and one transaction per call. */
public final class PostgresDeadLetters implements DeadLetters {
  private static final Set<State> OPEN = EnumSet.of(State.PENDING, State.PUBLISHED, State.HELD);

  private final DataSource dataSource;
  private final DedupSchema schema;
  private final DeadLetterRows rows;
  private final SequenceOperations sequences;

  /**
   * Use {@link DeadLetters#of}: public only because that factory is in another
   * package; outside this module, module-info
   * lets only the engine module see this package.
   */
  public PostgresDeadLetters(DataSource dataSource, DedupSchema schema) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.rows = new DeadLetterRows(schema);
    this.sequences = new SequenceOperations(schema, this, rows);
  }

  @Override
  public List<DeadLetter> list(Query query) throws SQLException {
    StringBuilder sql = new StringBuilder(rows.select(false)).append(" WHERE id > ?");
    List<Object> args = new ArrayList<>();
    args.add(query.afterId());
    DeadLetterFilters.append(sql, args, query);
    sql.append(" ORDER BY id LIMIT ?");
    args.add(query.limit());
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      List<DeadLetter> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rows.read(rs, false));
        }
      }
      return out;
    }
  }

  @Override
  public Optional<DeadLetter> show(long id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return Optional.ofNullable(rows.find(c, id, false));
    }
  }

  @Override
  public ReplayResult replay(long id, @Nullable String operator, String reason, boolean dryRun) throws SQLException {
    ReplayOutcome outcome = new ReplayOutcome();
    DeadLetter after = inTransaction(List.of(id), operator, reason, "replay", dryRun, outcome.superseded,
        (c, d, who, why) -> replayOne(c, d, who, why, outcome)).get(0);
    return new ReplayResult(after, dryRun, outcome.removed.status(), outcome.superseded);
  }

  @Override
  public List<DeadLetter> replayAll(List<Long> ids, @Nullable String operator, String reason, boolean dryRun)
      throws SQLException {
    ReplayOutcome outcome = new ReplayOutcome();
    return inTransaction(ids, operator, reason, "replay", dryRun, outcome.superseded,
        (c, d, who, why) -> replayOne(c, d, who, why, outcome));
  }

  /** What the replays of one call did besides their rows: the last claim removed, the rows superseded. */
  private static final class ReplayOutcome {
    Removed removed = Removed.NONE;
    final List<Long> superseded = new ArrayList<>();
  }

  /**
   * Replays {@code d}: its sequence if it heads one; else its key once (its other open dead letters are
   * superseded), or nothing if its key holds a {@code P} claim (then it and they are superseded: returns null).
   */
  private @Nullable Removed replayOne(Connection c, DeadLetter d, @Nullable String operator, String reason,
      ReplayOutcome outcome) throws SQLException {
    ParkedSequences.Id sequence = sequences.headed(c, d);
    if (sequence != null) {
      outcome.removed = sequences.replay(c, d, sequence, operator, reason);
      return outcome.removed;
    }
    List<DeadLetter> siblings = lockSiblings(c, d);
    if (hasProcessedClaim(c, d)) { // applied since (a sibling's replay, a corrected re-send after a forget)
      for (DeadLetter row : concat(d, siblings)) {
        supersede(c, row, operator, reason, "its key has been applied since (a P claim)");
        outcome.superseded.add(row.id());
      }
      return null;
    }
    outcome.removed = removeClaim(c, d);
    deleteWaitingCopy(c, d.id());
    writeReplayCopy(c, d);
    for (DeadLetter sibling : siblings) {
      supersede(c, sibling, operator, reason, "dead letter " + d.id() + " of the same key was replayed");
      outcome.superseded.add(sibling.id());
    }
    return outcome.removed;
  }

  @Override
  public DeadLetter discard(long id, @Nullable String operator, String reason) throws SQLException {
    return discard(id, operator, reason, null);
  }

  @Override
  public DeadLetter discard(long id, @Nullable String operator, String reason, @Nullable Followers followers)
      throws SQLException {
    return discardAll(List.of(id), operator, reason, followers).get(0);
  }

  @Override
  public List<DeadLetter> discardAll(List<Long> ids, @Nullable String operator, String reason,
      @Nullable Followers followers) throws SQLException {
    return inTransaction(ids, operator, reason, "discard", false, List.of(), (c, d, who, why) -> {
      deleteWaitingCopy(c, d.id());
      ParkedSequences.Id sequence = sequences.headed(c, d);
      if (sequence != null) {
        sequences.discard(c, d, sequence, followers, who, why);
      }
      return Removed.NONE;
    });
  }

  @Override
  public List<FailureGroup> groups(Query query) throws SQLException {
    return new FailureGroups(dataSource, schema).list(query);
  }

  private static List<DeadLetter> concat(DeadLetter first, List<DeadLetter> rest) {
    List<DeadLetter> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }

  private void writeReplayCopy(Connection c, DeadLetter d) throws SQLException {
    DeadLetter.Payload p = Objects.requireNonNull(d.payload());
    Headers headers = new RecordHeaders(p.headers().toArray(new Header[0]));
    if (headers.lastHeader(Outbox.IDEMPOTENCY_KEY_HEADER) == null) {
      UUID key = OutboxKeys.derived("kafka-dedup dead letters", schema.deadLetters() + "/" + d.id(), 0);
      headers.add(Outbox.IDEMPOTENCY_KEY_HEADER, key.toString().getBytes(StandardCharsets.US_ASCII));
    }
    OutboxWriter.insertRows(c, schema, List.of(OutboxRow.toInsert(d.sourceTopic(), p.key(), p.value(),
        HeaderCodec.encode(headers), null)));
  }

  /** What an operation removed from {@code claims}, for the audit. */
  record Removed(@Nullable Integer generation, @Nullable String status, @Nullable Integer partition,
      @Nullable Long offset) {
    static final Removed NONE = new Removed(null, null, null, null);
  }

  @FunctionalInterface
  private interface Operation {
    /** Returns what it removed, or null if it superseded the row instead (already recorded and audited). */
    @Nullable Removed apply(Connection c, DeadLetter locked, @Nullable String operator, String reason)
        throws SQLException;
  }

  /**
   * Runs {@code operation} on each of {@code ids} in one transaction: all are done, or none; {@code dryRun}: rolled
   * back. An id in {@code supersededHere} (superseded by an earlier id of the same call) is not acted on again.
   */
  private List<DeadLetter> inTransaction(List<Long> ids, @Nullable String operator, String reason, String action,
      boolean dryRun, List<Long> supersededHere, Operation operation) throws SQLException {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("reason must not be blank: say why dead letter" + (ids.size() == 1 ? " "
          + ids.get(0) + " is " : "s are ") + pastTense(action));
    }
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        List<DeadLetter> after = new ArrayList<>(ids.size());
        for (long id : new LinkedHashSet<>(ids)) {
          after.add(supersededHere.contains(id) ? Objects.requireNonNull(rows.find(c, id, false))
              : actOn(c, id, operator, reason, action, operation));
        }
        if (dryRun) {
          c.rollback();
        } else {
          c.commit();
        }
        return after;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  private DeadLetter actOn(Connection c, long id, @Nullable String operator, String reason, String action,
      Operation operation) throws SQLException {
    DeadLetter d = rows.find(c, id, true);
    if (d == null) {
      throw new NoSuchElementException("no dead letter with id " + id + " in " + schema.deadLetters());
    }
    if (!OPEN.contains(d.state())) {
      throw new IllegalStateException("dead letter " + id + " is " + d.state().column() + ": it cannot be "
          + pastTense(action) + " (only pending, published or held ones can" + (d.state() == State.PARKED
          ? "; it waits behind the head of its sequence: replay or discard that one)"
          : d.state() == State.SUPERSEDED ? "; its key was replayed or applied since)" : ")"));
    }
    Removed removed = operation.apply(c, d, operator, reason);
    if (removed != null) {
      State next = action.equals("replay") ? State.REPLAYED : State.DISCARDED;
      rows.recordAction(c, id, next, operator, reason);
      audit(c, d, "dead-letter-" + action, operator, reason, removed);
    }
    return Objects.requireNonNull(rows.find(c, id, false));
  }

  private static String pastTense(String action) {
    return action.equals("replay") ? "replayed" : "discarded";
  }

  /**
   * Locks the other open dead letters of {@code d}'s key (same scope and key id), in id order, and returns them:
   * a replay puts the key back once, so they are superseded by it.
   */
  private List<DeadLetter> lockSiblings(Connection c, DeadLetter d) throws SQLException {
    if (d.keyId() == null || d.scope() == null) {
      return List.of();
    }
    List<DeadLetter> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(rows.select(false) + " WHERE scope = ? AND key_id = ? AND id <> ?"
        + " AND state IN ('pending', 'published', 'held') ORDER BY id FOR UPDATE")) {
      ps.setString(1, d.scope());
      ps.setObject(2, d.keyId());
      ps.setLong(3, d.id());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rows.read(rs, false));
        }
      }
    }
    return out;
  }

  /** Whether {@code d}'s key holds a {@code P} claim in its scope (locked, so it cannot be removed meanwhile). */
  private boolean hasProcessedClaim(Connection c, DeadLetter d) throws SQLException {
    if (d.keyId() == null || d.scope() == null) {
      return false;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + schema.claims() + " c JOIN " + schema.scopes()
        + " s ON c.scope_id = s.scope_id WHERE s.scope = ? AND c.key_id = ? AND c.status = 'P' FOR SHARE OF c")) {
      ps.setString(1, d.scope());
      ps.setObject(2, d.keyId());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private void supersede(Connection c, DeadLetter d, @Nullable String operator, String reason, String why)
      throws SQLException {
    deleteWaitingCopy(c, d.id());
    rows.recordAction(c, d.id(), State.SUPERSEDED, operator, reason + " (superseded: " + why + ")");
    audit(c, d, "dead-letter-superseded", operator, reason + " (" + why + ")", Removed.NONE);
  }

  /**
   * Removes the key's {@code D} claims (never a {@code P} claim: a replay must not erase an applied key); returns
   * the newest removed, for the audit.
   */
  Removed removeClaim(Connection c, DeadLetter d) throws SQLException {
    if (d.keyId() == null || d.scope() == null) {
      return Removed.NONE;
    }
    String sql = "DELETE FROM " + schema.claims() + " c USING " + schema.scopes() + " s WHERE s.scope = ? "
        + "AND c.scope_id = s.scope_id AND c.key_id = ? AND c.status = 'D' RETURNING c.generation, c.status, "
        + "c.kafka_partition, c.kafka_offset";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, d.scope());
      ps.setObject(2, d.keyId());
      Removed newest = Removed.NONE;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (newest.generation() == null || rs.getInt(1) > newest.generation()) {
            newest = new Removed(rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getLong(4));
          }
        }
      }
      return newest;
    }
  }

  void deleteWaitingCopy(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema.outbox() + " WHERE dead_letter_id = ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }

  void audit(Connection c, DeadLetter d, String action, @Nullable String operator, String reason,
      Removed removed) throws SQLException {
    String sql = "INSERT INTO " + schema.audit() + " (operator, action, reason, scope, message_key, key_id, "
        + "removed_generation, removed_status, removed_partition, removed_offset, dead_letter_id) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, operator);
      ps.setString(2, action);
      ps.setString(3, reason);
      ps.setString(4, d.scope());
      ps.setString(5, d.key());
      ps.setObject(6, d.keyId());
      ps.setObject(7, removed.generation());
      ps.setString(8, removed.status());
      ps.setObject(9, removed.partition());
      ps.setObject(10, removed.offset());
      ps.setLong(11, d.id());
      ps.executeUpdate();
    }
  }
}

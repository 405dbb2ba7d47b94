package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.ClaimStatement.Param;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Claims dedup keys in the generations of {@code claims} (schema version 2) on the caller's connection and
 * transaction: one round trip per batch ({@link ClaimSql#claim}) returns the fresh keys and where each
 * duplicate was first claimed. A conflict is not an error, so the transaction stays usable. Keys are
 * inserted in id order, so concurrent claimers lock index entries in the same order and cannot deadlock
 * each other. Keys are stored as {@link io.github.kafkadedup.migrations.DedupKeys#id ids}; two keys with
 * one id in a batch must have been merged by the caller ({@link io.github.kafkadedup.consumer.internal.Plan} does).
 */
public final class PostgresClaimStore {
  private final ClaimSql sql;
  private final Map<String, Integer> scopeIds = new ConcurrentHashMap<>();
  private volatile @Nullable Boolean legacy;

  /** @param schema where the tables are */
  public PostgresClaimStore(DedupSchema schema) {
    this.sql = new ClaimSql(schema);
  }

  /** The statements this store sends. */
  public ClaimSql sql() {
    return sql;
  }

  /**
   * Claims every candidate's key (ids must be distinct) and finds where the taken keys were first
   * claimed: one round trip (two in the rare case that a concurrent claimer committed a key meanwhile).
   *
   * @throws SQLException on database failure
   * @throws DedupException of kind {@code CONFIGURATION} if the current generation has no partition
   */
  public Claims claimAll(Connection c, String scope, List<? extends Candidate<?, ?>> candidates)
      throws SQLException {
    return claim(c, scope, candidates, "P");
  }

  /**
   * Claims every candidate's key (ids must be distinct) and returns the keys that were fresh.
   *
   * @throws SQLException on database failure
   */
  public Set<String> claim(Connection c, String scope, List<? extends Candidate<?, ?>> candidates)
      throws SQLException {
    return claimAll(c, scope, candidates).fresh();
  }

  /**
   * Claims {@code candidate}'s key directly as dead-lettered; the result says whether it was fresh or
   * where it was first claimed (waiting, like every claim, for a concurrent claimer of the key).
   *
   * @throws SQLException on database failure
   */
  public Claims claimDead(Connection c, String scope, Candidate<?, ?> candidate) throws SQLException {
    return claim(c, scope, List.of(candidate), "D");
  }

  private Claims claim(Connection c, String scope, List<? extends Candidate<?, ?>> candidates, String status)
      throws SQLException {
    if (candidates.isEmpty()) {
      return new Claims(Set.of(), Map.of());
    }
    int scopeId = scopeId(c, scope);
    boolean withLegacy = legacy(c);
    int n = candidates.size();
    ClaimBatch batch = ClaimBatch.of(candidates);
    Set<String> fresh = new HashSet<>(n * 2);
    Map<String, Row> taken = new HashMap<>();
    ClaimStatement statement = sql.claim(withLegacy);
    try (PreparedStatement ps = c.prepareStatement(statement.text())) {
      statement.bind(ps, Map.of(Param.KEY_IDS, batch.ids(), Param.PARTITIONS, batch.partitions(), Param.OFFSETS,
          batch.offsets(), Param.KEY_TEXTS, batch.texts(), Param.SCOPE_ID, scopeId, Param.SCOPE, scope, Param.STATUS,
          status));
      readClaim(execute(ps), batch.keyOf(), fresh, taken);
    } catch (SQLException e) {
      throw missingPartition(e, scope);
    }
    Map<UUID, String> keyOf = batch.keyOf();
    if (fresh.size() + taken.size() < n) {
      // keys claimed by transactions that committed after this statement's snapshot: a new snapshot sees them
      List<String> unseen = keyOf.values().stream().filter(k -> !fresh.contains(k) && !taken.containsKey(k)).toList();
      lookup(c, scope, unseen).forEach((k, row) -> taken.merge(k, new Row(row, 0), Row::newer));
    }
    Map<String, StoredClaim> first = new HashMap<>(taken.size() * 2);
    taken.forEach((k, row) -> first.put(k, row.claim()));
    return new Claims(fresh, first);
  }

  /** Runs a lock-then-claim statement pair and returns the second statement's rows. */
  private static ResultSet execute(PreparedStatement ps) throws SQLException {
    ps.execute(); // the advisory lock's result
    if (!ps.getMoreResults()) {
      throw new SQLException("the claim statement returned no result set");
    }
    return ps.getResultSet();
  }

  private static void readClaim(ResultSet rs, Map<UUID, String> keyOf, Set<String> fresh, Map<String, Row> taken)
      throws SQLException {
    try (rs) {
      while (rs.next()) {
        String key = keyOf.get(rs.getObject(1, UUID.class));
        if (rs.getBoolean(2)) {
          fresh.add(key);
        } else {
          taken.merge(key, new Row(claimOf(rs), rs.getInt(6)), Row::newer);
        }
      }
    }
  }

  private static StoredClaim claimOf(ResultSet rs) throws SQLException {
    return new StoredClaim(rs.getInt(3), rs.getLong(4), "D".equals(rs.getString(5)));
  }

  /**
   * Where each of {@code keys} was claimed (the newest generation's claim if several hold it); keys with
   * no claim (e.g. dropped by retention) are absent.
   *
   * @throws SQLException on database failure
   */
  public Map<String, StoredClaim> lookup(Connection c, String scope, Collection<String> keys) throws SQLException {
    int scopeId = scopeId(c, scope);
    boolean withLegacy = legacy(c);
    Map<UUID, String> keyOf = new HashMap<>();
    for (String key : keys) {
      keyOf.put(io.github.kafkadedup.migrations.DedupKeys.id(key), key);
    }
    // ids and texts aligned: one pass over the map
    UUID[] ids = new UUID[keyOf.size()];
    String[] texts = new String[keyOf.size()];
    int i = 0;
    for (Map.Entry<UUID, String> e : keyOf.entrySet()) {
      ids[i] = e.getKey();
      texts[i++] = e.getValue();
    }
    Map<String, Row> found = new HashMap<>();
    ClaimStatement statement = sql.lookup(withLegacy);
    try (PreparedStatement ps = c.prepareStatement(statement.text())) {
      statement.bind(ps, Map.of(Param.SCOPE_ID, scopeId, Param.KEY_IDS, ids, Param.KEY_TEXTS, texts, Param.SCOPE,
          scope));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.merge(keyOf.get(rs.getObject(1, UUID.class)), new Row(claimOf(rs), rs.getInt(6)), Row::newer);
        }
      }
    }
    Map<String, StoredClaim> out = new HashMap<>(found.size() * 2);
    found.forEach((k, row) -> out.put(k, row.claim()));
    return out;
  }

  /**
   * Records {@code candidate}'s key with status dead-lettered ({@code deadLettered}) or processed and this
   * record's partition and offset, where the key is claimed (or newly in the current generation).
   *
   * @throws SQLException on database failure
   */
  public void mark(Connection c, String scope, Candidate<?, ?> candidate, boolean deadLettered) throws SQLException {
    int scopeId = scopeId(c, scope);
    String status = deadLettered ? "D" : "P";
    ClaimStatement statement = sql.mark();
    try (PreparedStatement ps = c.prepareStatement(statement.text())) {
      statement.bind(ps, Map.of(Param.STATUS, status, Param.PARTITION, candidate.record().partition(), Param.OFFSET,
          candidate.record().offset(), Param.SCOPE_ID, scopeId, Param.KEY_ID, candidate.id()));
      ps.execute();
      ps.getMoreResults();
    } catch (SQLException e) {
      throw missingPartition(e, scope);
    }
  }

  /**
   * The id of {@code scope}, registered in this transaction if new. Only an id read as committed is
   * cached: one registered by this transaction disappears if it rolls back.
   */
  int scopeId(Connection c, String scope) throws SQLException {
    Integer cached = scopeIds.get(scope);
    if (cached != null) {
      return cached;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      Integer committed = single(c, sql.scopeId(), scope);
      if (committed != null) {
        scopeIds.put(scope, committed);
        return committed;
      }
      Integer registered = single(c, sql.registerScope(), scope);
      if (registered != null) {
        return registered;
      }
      // a concurrent transaction registered it meanwhile (ON CONFLICT waited for its commit): read it again
    }
    throw new SQLException("scope '" + scope + "' could not be registered in " + sql.schema().scopes());
  }

  private static @Nullable Integer single(Connection c, String statement, String scope) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      ps.setString(1, scope);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : null;
      }
    }
  }

  /** Whether V1's table is a live generation 0, read once: after retention empties it the probe finds nothing. */
  private boolean legacy(Connection c) throws SQLException {
    Boolean known = legacy;
    if (known == null) {
      try (PreparedStatement ps = c.prepareStatement(sql.legacyLive()); ResultSet rs = ps.executeQuery()) {
        rs.next();
        known = rs.getBoolean(1);
      }
      legacy = known;
    }
    return known;
  }

  private SQLException missingPartition(SQLException e, String scope) {
    String message = String.valueOf(e.getMessage());
    if ("23514".equals(e.getSQLState()) && message.contains("no partition of relation")) {
      throw DedupException.configuration("[" + scope + "] the current generation of " + sql.schema().claims()
          + " has no partition, so no key can be claimed (nothing was processed): create the partitions with "
          + "RetentionJob.runOnce() or, as the owner role, SELECT " + sql.schema().function("dedup_prepare_generations")
          + "(2, 5000); cause: " + message);
    }
    return e;
  }

  /** A stored claim with its generation: of two claims of one key the newer generation's wins. */
  private record Row(StoredClaim claim, int generation) {
    Row newer(Row other) {
      return other.generation > generation ? other : this;
    }
  }

  /**
   * What a claim found.
   *
   * @param fresh the keys claimed now
   * @param taken where each key claimed earlier was first claimed (absent if its claim is gone meanwhile)
   */
  public record Claims(Set<String> fresh, Map<String, StoredClaim> taken) {

    /** Whether {@code key} was claimed now. */
    public boolean isFresh(String key) {
      return fresh.contains(key);
    }

    /** Where the taken {@code key} was first claimed, or {@code null}. */
    public @Nullable StoredClaim firstClaim(String key) {
      return taken.get(key);
    }
  }
}

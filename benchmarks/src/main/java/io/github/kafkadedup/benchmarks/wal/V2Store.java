package io.github.kafkadedup.benchmarks.wal;

import io.github.kafkadedup.consumer.internal.Candidate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * V2 claims as issue 13 describes them: a {@code claims} table partitioned by generation, keyed by
 * {@code (scope_id, key uuid, generation)}; the expired keys sit in an older generation that retention
 * drops, the live ones in the current generation that takes the claims.
 *
 * <p>A local copy of the V2 schema and claim statement written from the issue, until the product's
 * migration and {@code PostgresClaimStore} land.
 */
final class V2Store implements WalStore {
  private static final int SCOPE_ID = 1;
  private static final int OLD = 1;
  private static final int CURRENT = 2;
  private static final String CLAIM = "INSERT INTO claims (scope_id, key, generation, kafka_partition, kafka_offset)"
      + " SELECT ?, u.k, ?, u.p, u.o FROM unnest(?::uuid[], ?::int4[], ?::int8[]) AS u(k, p, o)"
      + " WHERE NOT EXISTS (SELECT 1 FROM claims o WHERE o.scope_id = ? AND o.key = u.k AND o.generation < ?)"
      + " ON CONFLICT DO NOTHING RETURNING key";

  private final WalVariant.Keys keys;
  private final MessageDigest sha256;
  private long expiredRows;

  V2Store(WalVariant.Keys keys) {
    this.keys = keys;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public void prefill(Connection c, long live, long expired) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE claim_scopes (scope_id integer PRIMARY KEY, scope text NOT NULL UNIQUE)");
      s.execute("INSERT INTO claim_scopes VALUES (" + SCOPE_ID + ", '" + V1Store.SCOPE + "')");
      s.execute("CREATE TABLE claims (scope_id integer NOT NULL, key uuid NOT NULL, generation integer NOT NULL,"
          + " kafka_partition integer NOT NULL, kafka_offset bigint NOT NULL, status char(1) NOT NULL DEFAULT 'P',"
          + " PRIMARY KEY (scope_id, key, generation)) PARTITION BY LIST (generation)");
      for (int g : new int[] {OLD, CURRENT}) {
        s.execute("CREATE TABLE claims_g" + g + " PARTITION OF claims FOR VALUES IN (" + g + ")"
            + " WITH (fillfactor = 100)");
      }
      fill(s, OLD, 1, expired);
      expiredRows = expired;
      fill(s, CURRENT, expired + 1, expired + live);
    }
  }

  private void fill(Statement s, int generation, long from, long to) throws SQLException {
    for (long lo = from; lo <= to; lo += ClaimWal.PREFILL_CHUNK) {
      long hi = Math.min(to, lo + ClaimWal.PREFILL_CHUNK - 1);
      s.execute("INSERT INTO claims (scope_id, key, generation, kafka_partition, kafka_offset) SELECT "
          + SCOPE_ID + ", " + keyExpression() + ", " + generation + ", i % 12, i FROM generate_series("
          + lo + ", " + hi + ") i");
    }
  }

  /** SQL for the i-th pre-filled key, shaped like the keys the run claims. */
  private String keyExpression() {
    return switch (keys) {
      // 8 keys per millisecond from three days ago on: all older than the run's keys, as they would be
      case UUIDV7 -> "(lpad(to_hex((extract(epoch FROM now() - interval '3 days') * 1000)::bigint + i / 8), 12,"
          + " '0') || '7' || substr(md5(i::text), 1, 3) || '8' || substr(md5(i::text), 4, 15))::uuid";
      case RANDOM_UUID -> "gen_random_uuid()";
      case HASHED_TEXT -> "encode(substr(sha256(convert_to('prefill-' || i, 'UTF8')), 1, 16), 'hex')::uuid";
    };
  }

  @Override
  public List<String> tables() {
    return List.of("claims", "claim_scopes");
  }

  @Override
  public void claim(Connection c, List<Candidate<String, String>> batch) throws SQLException {
    int n = batch.size();
    Candidate<String, String>[] sorted = batch.toArray(Candidate[]::new);
    UUID[] ids = new UUID[n];
    for (int i = 0; i < n; i++) {
      ids[i] = id(sorted[i].key());
    }
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    // one lock order for concurrent claimers: PostgreSQL's uuid order, i.e. unsigned
    Arrays.sort(order, (a, b) -> compareUnsigned(ids[a], ids[b]));
    UUID[] k = new UUID[n];
    int[] p = new int[n];
    long[] o = new long[n];
    for (int i = 0; i < n; i++) {
      ConsumerRecord<String, String> r = sorted[order[i]].record();
      k[i] = ids[order[i]];
      p[i] = r.partition();
      o[i] = r.offset();
    }
    try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
      ps.setInt(1, SCOPE_ID);
      ps.setInt(2, CURRENT);
      ps.setObject(3, k);
      ps.setObject(4, p);
      ps.setObject(5, o);
      ps.setInt(6, SCOPE_ID);
      ps.setInt(7, CURRENT);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rs.getObject(1);
        }
      }
    }
  }

  /** A canonical UUID as itself, any other key as a version-8 UUID of its SHA-256. */
  private UUID id(String key) {
    if (key.length() == 36) {
      try {
        return UUID.fromString(key);
      } catch (IllegalArgumentException notAUuid) {
        // hashed below
      }
    }
    byte[] d = sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    long msb = (toLong(d, 0) & ~0xF000L) | 0x8000L;
    long lsb = (toLong(d, 8) & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  private static int compareUnsigned(UUID a, UUID b) {
    int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }

  private static long toLong(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    return v;
  }

  @Override
  public long expire(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE claims_g" + OLD);
      return expiredRows;
    }
  }

  @Override
  public String retentionMethod() {
    return "DROP TABLE of the expired generation's partition";
  }
}

package io.github.kafkadedup.benchmarks.lean;

import io.github.kafkadedup.benchmarks.BusinessTable;
import io.github.kafkadedup.benchmarks.V1Claims;
import io.github.kafkadedup.consumer.internal.Candidate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Claims one batch in a {@link Variant}'s table, optionally with the business rows, and commits. */
final class ClaimRunner {
  private static final short SCOPE_ID = 1;

  private final Variant variant;
  private final String scope;
  private final boolean business;
  private final MessageDigest sha256;

  ClaimRunner(Variant variant, String scope, boolean business) {
    this.variant = variant;
    this.scope = scope;
    this.business = business;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** One transaction: the claim (per the variant), the business rows of the batch, commit. */
  void run(Connection c, List<Candidate<String, String>> batch) throws SQLException {
    switch (variant) {
      case NONE -> { }
      case V1 -> V1Claims.claim(c, scope, batch);
      default -> claimGeneric(c, batch);
    }
    if (business) {
      // every key is fresh in this experiment, so every record gets its business row
      BusinessTable.insert(c, batch.stream().map(Candidate::record).toList(), 1);
    }
    c.commit();
  }

  private int claimGeneric(Connection c, List<Candidate<String, String>> batch) throws SQLException {
    int n = batch.size();
    Object[] keys = variant.keyForm == Variant.KeyForm.UUID ? digests(batch) : texts(batch);
    String[] topics = new String[n];
    int[] partitions = new int[n];
    long[] offsets = new long[n];
    for (int i = 0; i < n; i++) {
      ConsumerRecord<String, String> r = batch.get(i).record();
      topics[i] = r.topic();
      partitions[i] = r.partition();
      offsets[i] = r.offset();
    }
    try (PreparedStatement ps = c.prepareStatement(variant.claimSql())) {
      int p = 1;
      if (variant.keyForm == Variant.KeyForm.TEXT || variant.keyForm == Variant.KeyForm.TEXT_C) {
        ps.setString(p++, scope);
      } else if (variant.keyForm == Variant.KeyForm.SMALLINT) {
        ps.setShort(p++, SCOPE_ID);
      }
      ps.setObject(p++, keys);
      if (variant.diagnostics) {
        ps.setObject(p++, topics);
        ps.setObject(p++, partitions);
        ps.setObject(p, offsets);
      }
      if (variant.keyForm == Variant.KeyForm.PLAIN) {
        return ps.executeUpdate();
      }
      int fresh = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh++;
        }
      }
      return fresh;
    }
  }

  private static String[] texts(List<Candidate<String, String>> batch) {
    String[] keys = new String[batch.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = batch.get(i).key();
    }
    Arrays.sort(keys); // as the engine does: one lock order for concurrent claimers
    return keys;
  }

  /** 16 bytes of SHA-256(scope, 0, key) per key, as uuids, sorted. */
  private UUID[] digests(List<Candidate<String, String>> batch) {
    UUID[] out = new UUID[batch.size()];
    byte[] scopeBytes = scope.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < out.length; i++) {
      sha256.update(scopeBytes);
      sha256.update((byte) 0);
      byte[] d = sha256.digest(batch.get(i).key().getBytes(StandardCharsets.UTF_8));
      out[i] = new UUID(toLong(d, 0), toLong(d, 8));
    }
    Arrays.sort(out);
    return out;
  }

  private static long toLong(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    return v;
  }
}

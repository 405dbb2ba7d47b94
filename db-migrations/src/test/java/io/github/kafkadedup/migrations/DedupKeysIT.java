package io.github.kafkadedup.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SQL function dedup_key_id maps every key exactly as the Java class DedupKeys does. */
class DedupKeysIT {
  private static TestDatabase db;

  @BeforeAll
  static void migrate() {
    db = TestPostgres.get().createDatabase("keys");
    DedupMigrations.migrate(db.dataSource(), DedupSchema.of("kd", "p_"));
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void sqlAndJavaAgreeOnManyKeys() throws Exception {
    List<String> keys = new ArrayList<>(DedupKeysTest.notUuids());
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 2_000; i++) {
      UUID u = new UUID(random.nextLong(), random.nextLong());
      keys.add(i % 2 == 0 ? u.toString() : u.toString().toUpperCase(java.util.Locale.ROOT));
      keys.add(randomText(random));
    }
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT k, kd.p_dedup_key_id(k) FROM unnest(?::text[]) AS k")) {
      ps.setObject(1, keys.toArray(String[]::new));
      int checked = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString(1);
          assertThat(rs.getObject(2, UUID.class)).as("key '%s'", key).isEqualTo(DedupKeys.id(key));
          checked++;
        }
      }
      assertThat(checked).isEqualTo(keys.size());
    }
  }

  /** Up to 40 code points from ASCII, Latin-1, CJK and emoji (never U+0000, which text cannot hold). */
  private static String randomText(ThreadLocalRandom random) {
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(40);
    for (int i = 0; i < n; i++) {
      int kind = random.nextInt(4);
      int cp = switch (kind) {
        case 0 -> 0x20 + random.nextInt(0x5f);
        case 1 -> 0xa0 + random.nextInt(0x60);
        case 2 -> 0x4e00 + random.nextInt(0x500);
        default -> 0x1f600 + random.nextInt(0x40);
      };
      b.appendCodePoint(cp);
    }
    return b.toString();
  }
}

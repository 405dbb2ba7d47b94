package io.github.kafkadedup.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The consumer's heartbeat against the real PostgreSQL: one row per instance, written at most once per
 * interval whatever the number of polls, marked stopped on a clean stop, old rows of the scope forgotten, and a
 * missing table turns it off without failing the consumer.
 */
class HeartbeatIT {
  static TestDatabase db;

  @BeforeAll
  static void migrate() {
    db = TestPostgres.get().createDatabase("heartbeat");
    DedupMigrations.migrate(db.dataSource());
  }

  @AfterAll
  static void close() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void writesAtMostOncePerIntervalHowEverOftenItPolls() {
    db.execute("INSERT INTO dedup_heartbeats (scope, instance, host, started_at, seen_at) VALUES"
        + " ('orders', 'gone/1#1', 'gone', now() - interval '30 days', now() - interval '8 days'),"
        + " ('orders', 'recent/1#1', 'recent', now() - interval '2 days', now() - interval '1 day')");
    Heartbeat beat = new Heartbeat(db.dataSource(), DedupSchema.DEFAULT, "orders", "orders-group", Duration.ofHours(1));
    for (int i = 0; i < 1_000; i++) {
      beat.progressed(5);
      beat.polled(() -> "member-1");
    }
    assertThat(db.queryLong("SELECT count(*) FROM dedup_heartbeats WHERE scope = 'orders' AND host <> 'recent'"))
        .as("the row of an instance not seen for 8 days is gone, the one seen a day ago stays").isEqualTo(1);
    assertThat(db.queryLong("SELECT records FROM dedup_heartbeats WHERE group_id = 'orders-group'"))
        .as("one write, at the first poll, in an hour's interval").isEqualTo(5);
    assertThat(db.queryLong("SELECT count(*) FROM dedup_heartbeats WHERE member_id = 'member-1' AND stopped_at IS NULL"
        + " AND progress_at IS NOT NULL AND seen_at >= progress_at AND started_at <= seen_at")).isEqualTo(1);

    beat.stopped();
    assertThat(db.queryLong("SELECT records FROM dedup_heartbeats WHERE group_id = 'orders-group'"
        + " AND stopped_at IS NOT NULL")).isEqualTo(5_000);
  }

  @Test
  void aMissingTableTurnsTheHeartbeatOffWithoutFailingTheConsumer() {
    Heartbeat beat = new Heartbeat(db.dataSource(), DedupSchema.of("nowhere"), "orders", null, Duration.ZERO);
    beat.polled(() -> null);
    beat.progressed(1);
    beat.polled(() -> null);
    beat.stopped();
    Heartbeat.OFF.polled(() -> {
      throw new AssertionError("OFF never asks for the member id");
    });
  }
}

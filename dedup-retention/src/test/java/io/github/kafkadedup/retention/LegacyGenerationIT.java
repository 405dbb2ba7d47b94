package io.github.kafkadedup.retention;
import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.consumer.internal.PostgresClaimStore;
import io.github.kafkadedup.consumer.internal.StoredClaim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The upgrade from schema version 1 with data: V1's claims stay duplicates (probed in the read-only
 * legacy generation 0), an old consumer can no longer claim, and retention empties the V1 table once it
 * expired.
 */
class LegacyGenerationIT {
  private static final DedupSchema SCHEMA = DedupSchema.of("legacy", "kd_");
  static TestDatabase db;

  @BeforeAll
  static void upgradeWithData() {
    db = TestPostgres.get().createDatabase("legacy-generation");
    DedupMigrations.configure(db.dataSource(), SCHEMA).target("1").load().migrate();
    db.execute("INSERT INTO " + SCHEMA.processedMessages() + " (scope, message_key, topic, kafka_partition, "
        + "kafka_offset, status, processed_at) VALUES ('g', 'k-1', 'orders', 3, 41, 'P', now() - interval '3 days'), "
        + "('g', 'dead', 'orders', 3, 42, 'D', now() - interval '2 days'), "
        + "('other', 'k-1', 'orders', 0, 7, 'P', now())");
    assertThat(DedupMigrations.migrate(db.dataSource(), SCHEMA).appliedVersions()).containsExactly("2", "3", "4", "5", "6", "7", "8");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private static Candidate<String, String> candidate(String key, int partition, long offset) {
    return new Candidate<>(new ConsumerRecord<>("orders", partition, offset, "k", "v"), key);
  }

  @Test
  void claimsMadeOnV1AreStillDuplicatesAfterTheUpgradeUntilRetentionEmptiesTheV1Table() throws Exception {
    PostgresClaimStore store = new PostgresClaimStore(SCHEMA);
    try (Connection c = db.dataSource().getConnection()) {
      PostgresClaimStore.Claims claims = store.claimAll(c, "g",
          List.of(candidate("k-1", 3, 41), candidate("dead", 3, 50), candidate("new", 3, 51)));
      assertThat(claims.fresh()).containsExactly("new");
      assertThat(claims.firstClaim("k-1")).as("a redelivery of the V1 claim").isEqualTo(new StoredClaim(3, 41, false));
      assertThat(claims.firstClaim("dead")).isEqualTo(new StoredClaim(3, 42, true));

      // reprocessing the dead-lettered key records it in the current generation; the newer claim wins
      store.mark(c, "g", candidate("dead", 3, 50), false);
      assertThat(store.lookup(c, "g", List.of("dead", "k-1"))).containsEntry("dead", new StoredClaim(3, 50, false))
          .containsEntry("k-1", new StoredClaim(3, 41, false));
    }
    assertThatThrownBy(() -> db.execute("INSERT INTO " + SCHEMA.processedMessages() + " (scope, message_key, topic, "
        + "kafka_partition, kafka_offset) VALUES ('g', 'from-an-old-consumer', 'orders', 0, 1)"))
        .hasMessageContaining("upgrade this consumer");

    // two days later (generation 1 started two days ago): V1's claims are older than a one-day window
    db.execute("UPDATE " + SCHEMA.generations() + " SET started_at = now() - interval '2 days' WHERE generation = 1");
    RetentionJob.RunResult result = RetentionJob.builder(db.dataSource(), RetentionConfig.builder()
        .window(Duration.ofDays(1)).forceShortWindow(true).schema(SCHEMA).build()).build().runOnce();
    assertThat(result.generationsDropped()).isEqualTo(1);
    assertThat(result.deleted()).isEqualTo(3);
    assertThat(result.currentGeneration()).isEqualTo(2);
    assertThat(db.queryLong("SELECT count(*) FROM " + SCHEMA.processedMessages())).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM " + SCHEMA.generations() + " WHERE generation = 0")).isZero();

    PostgresClaimStore restarted = new PostgresClaimStore(SCHEMA);
    try (Connection c = db.dataSource().getConnection()) {
      assertThat(restarted.claimAll(c, "g", List.of(candidate("k-1", 3, 60), candidate("new", 3, 61))).fresh())
          .as("the expired V1 key is fresh again; the V2 claim is not").containsExactly("k-1");
    }
  }
}

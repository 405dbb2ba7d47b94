package io.github.kafkadedup.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The indicator is DOWN while the listeners have given their partitions back for want of a database. */
class DedupHealthIndicatorIT {
  private static TestDatabase db;

  @BeforeAll
  static void database() {
    db = TestPostgres.get().createDatabase("health-outage");
    DedupMigrations.migrate(db.dataSource());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void downWhileTheListenersAreWithoutTheirDatabaseUpOnceTheyAreBack() {
    DedupStoreCheck check = new DedupStoreCheck(db.dataSource(), DedupSchema.DEFAULT, new DedupStoreCheck.Thresholds(
        Duration.ofMinutes(5), 0, null, Duration.ofHours(1), Duration.ofSeconds(5)));
    AtomicBoolean outage = new AtomicBoolean(true);
    DedupHealthIndicator indicator = new DedupHealthIndicator(check, "WARNING", outage::get);

    Health down = indicator.health();
    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
    assertThat(down.getDetails()).containsEntry("claimStore", "reachable")
        .containsKey("listeners");
    assertThat((String) down.getDetails().get("listeners")).contains("dedup.listener.database-outage-bound");

    outage.set(false);
    Health up = indicator.health();
    assertThat(up.getStatus()).isEqualTo(Status.UP);
    assertThat(up.getDetails()).doesNotContainKey("listeners");
  }
}

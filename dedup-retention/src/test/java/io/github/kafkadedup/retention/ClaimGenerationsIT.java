package io.github.kafkadedup.retention;
import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.consumer.internal.PostgresClaimStore;
import io.github.kafkadedup.consumer.internal.StoredClaim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The claim store across generations against the real PostgreSQL, without Kafka. */
class ClaimGenerationsIT {
  private static final DedupSchema SCHEMA = DedupSchema.of("gens", "kd_");
  static TestDatabase db;

  @BeforeAll
  static void setUp() {
    db = TestPostgres.get().createDatabase("claim-generations");
    DedupMigrations.migrate(db.dataSource(), SCHEMA);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private static Candidate<String, String> candidate(String key, int partition, long offset) {
    return new Candidate<>(new ConsumerRecord<>("orders", partition, offset, "k", "v"), key);
  }

  private static PostgresClaimStore.Claims claim(PostgresClaimStore store, DataSource ds, String scope,
      List<Candidate<String, String>> candidates) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        PostgresClaimStore.Claims claims = store.claimAll(c, scope, candidates);
        c.commit();
        return claims;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  static int switchGeneration(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      st.execute("SELECT " + SCHEMA.function("dedup_prepare_generations") + "(2, 5000)");
      var rs = st.executeQuery("SELECT " + SCHEMA.function("dedup_switch_generation") + "(5000)");
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void duplicatesInOlderGenerationsComeBackWithTheirFirstClaimInOneStatement() throws Exception {
    PostgresClaimStore store = new PostgresClaimStore(SCHEMA);
    String scope = "first-claims";
    String uuid = "0192f3a4-5b6c-7d8e-9fab-0123456789ab";
    assertThat(claim(store, db.dataSource(), scope, List.of(candidate("a", 0, 1), candidate(uuid, 0, 2))).fresh())
        .containsExactlyInAnyOrder("a", uuid);
    switchGeneration(db.dataSource());
    PostgresClaimStore.Claims again = claim(store, db.dataSource(), scope,
        List.of(candidate("a", 0, 1), candidate(uuid.toUpperCase(java.util.Locale.ROOT), 3, 9), candidate("c", 0, 3)));
    assertThat(again.fresh()).containsExactly("c");
    assertThat(again.firstClaim("a")).isEqualTo(new StoredClaim(0, 1, false));
    assertThat(again.firstClaim(uuid.toUpperCase(java.util.Locale.ROOT))).as("UUID text in upper case is the same key")
        .isEqualTo(new StoredClaim(0, 2, false));
    // another scope is independent
    assertThat(claim(store, db.dataSource(), "other", List.of(candidate("a", 0, 1))).fresh()).containsExactly("a");
  }

  @Test
  void markUpdatesTheClaimInItsGenerationAndClaimDeadReportsTheFirstClaim() throws Exception {
    PostgresClaimStore store = new PostgresClaimStore(SCHEMA);
    String scope = "marks";
    claim(store, db.dataSource(), scope, List.of(candidate("m", 1, 10)));
    switchGeneration(db.dataSource());
    try (Connection c = db.dataSource().getConnection()) {
      store.mark(c, scope, candidate("m", 1, 11), true);
      assertThat(store.claimDead(c, scope, candidate("m", 1, 12)).firstClaim("m"))
          .isEqualTo(new StoredClaim(1, 11, true));
      assertThat(store.claimDead(c, scope, candidate("n", 1, 13)).isFresh("n")).isTrue();
    }
    assertThat(db.queryLong("SELECT count(*) FROM " + SCHEMA.claims() + " WHERE key_id = "
        + SCHEMA.function("dedup_key_id") + "('m')")).as("still one row").isEqualTo(1);
  }

  @Test
  void aMissingPartitionStopsTheClaimWithTheFix() throws Exception {
    DedupSchema schema = DedupSchema.of("gaps");
    DedupMigrations.migrate(db.dataSource(), schema);
    db.execute("DROP TABLE gaps.claims_g1");
    PostgresClaimStore store = new PostgresClaimStore(schema);
    assertThatThrownBy(() -> claim(store, db.dataSource(), "s", List.of(candidate("x", 0, 1))))
        .isInstanceOfSatisfying(DedupException.class,
            e -> assertThat(e.kind()).isEqualTo(DedupException.Kind.CONFIGURATION))
        .hasMessageContaining("has no partition").hasMessageContaining("gaps.dedup_prepare_generations");
    assertThat(db.queryLong("SELECT count(*) FROM gaps.claims")).isZero();
  }

  /**
   * The claim's lock statement runs before the claim statement takes its snapshot: a claim that waited for a
   * switch reads the generation the switch committed (one statement holding both would read the old one).
   */
  @Test
  void aClaimThatWaitedForASwitchLandsInTheNewGeneration() throws Exception {
    PostgresClaimStore store = new PostgresClaimStore(SCHEMA);
    db.execute("SELECT " + SCHEMA.function("dedup_prepare_generations") + "(2, 5000)");
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (Connection switcher = db.dataSource().getConnection(); Statement st = switcher.createStatement()) {
      switcher.setAutoCommit(false);
      st.execute(store.sql().lock().replace("pg_advisory_xact_lock_shared", "pg_advisory_xact_lock"));
      st.execute("INSERT INTO " + SCHEMA.generations() + " SELECT max(generation) + 1, now() FROM "
          + SCHEMA.generations());
      Future<PostgresClaimStore.Claims> waiting = executor.submit(() ->
          claim(store, db.dataSource(), "waiting", List.of(candidate("w", 0, 1))));
      Thread.sleep(500);
      assertThat(waiting).as("the claim waits for the switch").isNotDone();
      switcher.commit();
      assertThat(waiting.get(30, TimeUnit.SECONDS).fresh()).containsExactly("w");
    } finally {
      executor.shutdownNow();
    }
    assertThat(db.queryLong("SELECT generation FROM " + SCHEMA.claims() + " WHERE key_id = "
        + SCHEMA.function("dedup_key_id") + "('w')"))
        .isEqualTo(db.queryLong("SELECT max(generation) FROM " + SCHEMA.generations()));
  }

  /**
   * Many claimers take overlapping keys while generations switch under them: each key is claimed exactly
   * once (one claimer saw it fresh, one row in all generations together).
   */
  @Test
  void generationSwitchesUnderConcurrentClaimsNeverClaimAKeyTwice() throws Exception {
    PostgresClaimStore store = new PostgresClaimStore(SCHEMA);
    String scope = "race";
    int threads = 6;
    int keySpace = 4_000;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
    Map<String, AtomicInteger> freshCount = new ConcurrentHashMap<>();
    AtomicBoolean claiming = new AtomicBoolean(true);
    AtomicLong switches = new AtomicLong();
    AtomicLong transactions = new AtomicLong();
    try (var pool = db.newDataSource(threads + 2)) {
      ExecutorService executor = Executors.newFixedThreadPool(threads + 1);
      List<Future<?>> claimers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int partition = t;
        claimers.add(executor.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          long offset = 0;
          while (System.nanoTime() < deadline) {
            Map<String, Candidate<String, String>> batch = new java.util.LinkedHashMap<>();
            int start = random.nextInt(keySpace);
            for (int i = 0; i < 40; i++) {
              int j = (start + i) % keySpace;
              String key = j % 2 == 0 ? "text-" + j : new java.util.UUID(42, j).toString(); // hashed and UUID keys
              batch.putIfAbsent(key, candidate(key, partition, offset++));
            }
            for (String fresh : claim(store, pool, scope, new ArrayList<>(batch.values())).fresh()) {
              freshCount.computeIfAbsent(fresh, k -> new AtomicInteger()).incrementAndGet();
            }
            transactions.incrementAndGet();
          }
          return null;
        }));
      }
      Future<?> switcher = executor.submit(() -> {
        while (claiming.get()) {
          try {
            switchGeneration(pool);
            switches.incrementAndGet();
          } catch (SQLException e) {
            if (!"55P03".equals(e.getSQLState())) {
              throw e;
            }
          }
          Thread.sleep(50);
        }
        return null;
      });
      for (Future<?> claimer : claimers) {
        claimer.get(60, TimeUnit.SECONDS);
      }
      claiming.set(false);
      switcher.get(60, TimeUnit.SECONDS);
      executor.shutdown();
    }
    System.out.printf("RACE | %d transactions, %d generation switches, %d distinct keys claimed%n",
        transactions.get(), switches.get(), freshCount.size());
    assertThat(switches.get()).as("generations switched under load").isGreaterThanOrEqualTo(5);
    assertThat(freshCount.values().stream().filter(n -> n.get() != 1).count()).as("keys seen fresh twice").isZero();
    String scopeId = "(SELECT scope_id FROM " + SCHEMA.scopes() + " WHERE scope = '" + scope + "')";
    assertThat(db.queryLong("SELECT count(*) FROM (SELECT key_id FROM " + SCHEMA.claims() + " WHERE scope_id = "
        + scopeId + " GROUP BY key_id HAVING count(*) > 1) d")).as("keys stored in two generations").isZero();
    assertThat(db.queryLong("SELECT count(*) FROM " + SCHEMA.claims() + " WHERE scope_id = " + scopeId))
        .isEqualTo(freshCount.size());
    assertThat(db.queryLong("SELECT count(DISTINCT generation) FROM " + SCHEMA.claims() + " WHERE scope_id = "
        + scopeId)).as("claims spread over generations").isGreaterThan(3);
  }
}

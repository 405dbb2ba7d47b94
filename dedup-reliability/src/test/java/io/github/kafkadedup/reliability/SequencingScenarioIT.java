package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.outbox.FailureGroup;
import io.github.kafkadedup.testsupport.ChildJvm;
import io.github.kafkadedup.testsupport.TestKafka;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 24's proof: sequences of updates (the record key is the sequence), about 2 % of the updates poison at
 * seeded random positions, consumed by a group of 3 sequenced child JVMs SIGKILLed at random moments while the
 * input arrives. Each update must find its sequence's counter one below it ({@link SequenceCounterHandler}: the
 * database records any other order as a violation). After the crash phase every sequence without poison must be
 * complete (nothing of it waited behind another sequence's poison) and every other one must stop right before its
 * first poison, the rest parked. Then the consumers are redeployed with the handler fixed and every failure group
 * is replayed in bulk, as an operator would ({@link DeadLetters#groups}, then {@link DeadLetters#replayAll} of the
 * group's open dead letters): every sequence must reach its last update, each update applied exactly once and in
 * order, nothing left parked. Fast: 200 sequences x 20 updates, 3 kills; soak: 1,000 x 20, 10 kills.
 */
class SequencingScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static final int UPDATES = 20;
  private static final EnumSet<DeadLetters.State> OPEN =
      EnumSet.of(DeadLetters.State.PENDING, DeadLetters.State.PUBLISHED, DeadLetters.State.HELD);
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("sequencing");
    // as the owner of schema shop, so ReliabilityDb.close() drops them with it (DROP OWNED)
    try (var owner = db.db.newDataSource(db.owner, db.password(), 1); Connection c = owner.getConnection();
        var statement = c.createStatement()) {
      for (String sql : SequenceCounterHandler.ddl(db.app)) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("creating the counter tables failed: " + e.getMessage(), e);
    }
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void poisonParksOnlyItsSequenceUnderSigkillsAndABulkReplayAppliesEachUpdateOnceInOrder() throws Exception {
    long seed = Sizes.seed(2424);
    Random random = new Random(seed);
    int sequences = Sizes.pick(200, 1_000);
    int kills = Sizes.pick(3, 10);
    Duration pace = Duration.ofSeconds(Sizes.pick(20, 120));
    String topic = Topics.withDlt(kafka, "sequencing", 6);
    String group = "g-" + topic;
    Scenario scenario = new Scenario("sequencing", seed, db, kafka.bootstrapServers());
    SequencePlan plan = SequencePlan.draw(random, sequences, UPDATES);
    db.db.execute("INSERT INTO " + SequenceCounterHandler.COUNTERS + " SELECT 'acct-' || s, 0 FROM "
        + "generate_series(0, " + (sequences - 1) + ") s");
    try (ChildConsumers children = new ChildConsumers(db, kafka.bootstrapServers(), topic, group)) {
      List<ChildJvm> live = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        live.add(children.start("sequencing=true"));
      }
      live.forEach(c -> c.awaitLine("started", Duration.ofSeconds(120))); // kills land while they consume
      Thread publishing = Thread.ofPlatform().start(() -> plan.publish(kafka.bootstrapServers(), topic, pace));
      long gapMillis = pace.toMillis() / (kills + 1);
      for (int k = 0; k < kills; k++) {
        Thread.sleep(gapMillis / 2 + random.nextLong(gapMillis / 2)); // a random moment of the run
        ChildJvm victim = live.remove(random.nextInt(live.size()));
        victim.kill();
        scenario.fault("SIGKILL " + victim.name());
        live.add(children.start("sequencing=true"));
      }
      publishing.join();
      awaitCounters(topic, group, plan, false);
      double crashPhase = scenario.elapsedSeconds();
      assertCrashPhase(topic, group, plan);

      live.forEach(ChildJvm::kill); // the fix is deployed: the same group, the handler fixed
      List<ChildJvm> fixed = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        fixed.add(children.start("sequencing=true", "fixed=true"));
      }
      int replayed = replayEveryGroup(group);
      try {
        awaitCounters(topic, group, plan, true);
      } catch (ConditionTimeoutException e) {
        fixed.forEach(f -> System.out.println("[reliability] sequencing: " + f.name() + " said:\n" + f.tail()));
        throw e;
      }
      report(scenario, topic, group, plan, crashPhase, replayed);
    }
  }

  /**
   * Waits until every counter is where it must be (before the replay: at the update before its first poison,
   * with the rest of the sequence dead-lettered or parked; after: at the last update, nothing parked).
   */
  private static void awaitCounters(String topic, String group, SequencePlan plan, boolean replayed) {
    long expected = replayed ? (long) plan.sequences() * UPDATES : plan.appliedBeforeReplay();
    long deadLetters = (long) plan.sequences() * UPDATES - plan.appliedBeforeReplay();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(Sizes.pick(180, 900))).pollInterval(Duration.ofSeconds(1))
          .until(() -> db.count("SELECT coalesce(sum(counter), 0) FROM " + SequenceCounterHandler.COUNTERS) >= expected
              && db.count("SELECT count(*) FROM " + db.schema().deadLetters() + " WHERE scope = '" + group
                  + "'") >= deadLetters
              && (!replayed || parked(topic) == 0));
    } catch (ConditionTimeoutException e) {
      System.out.printf(Locale.ROOT, "[reliability] sequencing: %s did not converge; the tables:%n",
          replayed ? "the replay" : "the crash phase");
      dump("SELECT coalesce(sum(counter), 0) AS applied, " + expected + " AS expected, count(*) FILTER (WHERE counter < "
          + UPDATES + ") AS incomplete FROM " + SequenceCounterHandler.COUNTERS);
      dump("SELECT state, reason, count(*), count(replay_applied_at) AS applied FROM " + db.schema().deadLetters()
          + " GROUP BY 1, 2 ORDER BY 1, 2");
      dump("SELECT state, replays_pending, count(*) FROM " + db.schema().parkedSequences() + " GROUP BY 1, 2");
      dump("SELECT topic, count(*) FROM " + db.schema().outbox() + " GROUP BY 1");
      dump("SELECT p.sequence_key, p.source_partition, p.state, p.head_id, p.replays_pending, c.counter FROM "
          + db.schema().parkedSequences() + " p JOIN " + SequenceCounterHandler.COUNTERS
          + " c USING (sequence_key) ORDER BY 1 LIMIT 10");
      dump("SELECT id, state, reason, sequence_key, source_partition, source_offset, message_key, replay_applied_at "
          + "FROM " + db.schema().deadLetters() + " WHERE sequence_key IN (SELECT sequence_key FROM "
          + db.schema().parkedSequences() + " ORDER BY 1 LIMIT 2) ORDER BY sequence_key, source_offset");
      throw e;
    }
  }

  /** Prints a diagnostic query's rows. */
  private static void dump(String sql) {
    try (Connection c = db.db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      int columns = rs.getMetaData().getColumnCount();
      System.out.println("[reliability] sequencing: " + sql);
      while (rs.next()) {
        StringBuilder row = new StringBuilder("  ");
        for (int i = 1; i <= columns; i++) {
          row.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
        }
        System.out.println(row);
      }
    } catch (SQLException e) {
      System.out.println("[reliability] sequencing: " + sql + " failed: " + e.getMessage());
    }
  }

  /** Every sequence stopped right before its first poison: the others (without poison) all complete. */
  private static void assertCrashPhase(String topic, String group, SequencePlan plan) {
    Map<String, Integer> counters = counters();
    List<String> wrong = new ArrayList<>();
    for (int s = 0; s < plan.sequences(); s++) {
      if (counters.get("acct-" + s) != plan.beforeReplay(s)) {
        wrong.add("acct-" + s + "=" + counters.get("acct-" + s) + " (first poison " + plan.firstPoison()[s] + ")");
      }
    }
    assertThat(wrong).as("sequences not where they must be before the replay (one without poison that is not "
        + "complete waited behind another's poison)").isEmpty();
    assertThat(violations()).as("updates applied out of order or twice, before the replay").isZero();
    assertThat(parked(topic)).as("parked sequences: exactly the poisoned ones").isEqualTo(plan.poisoned());
    assertThat(db.count("SELECT count(*) FROM " + db.schema().deadLetters() + " WHERE scope = '" + group
        + "' AND reason = 'handler_failed'")).as("one head per poisoned sequence").isEqualTo(plan.poisoned());
  }

  /** As the operator: every failure group of the scope, its open dead letters replayed in one go per group. */
  private static int replayEveryGroup(String group) throws SQLException {
    try (var owner = db.db.newDataSource(db.owner, db.password(), 2)) {
      DeadLetters deadLetters = DeadLetters.of(owner, db.schema());
      int replayed = 0;
      for (FailureGroup g : deadLetters.groups(DeadLetters.Query.builder().scope(group).build())) {
        List<Long> ids = deadLetters.list(DeadLetters.Query.builder().group(g.fingerprint())
                .limit(DeadLetters.Query.MAX_LIMIT).build())
            .stream().filter(d -> OPEN.contains(d.state())).map(DeadLetter::id).toList();
        System.out.printf(Locale.ROOT, "[reliability] sequencing: group %s (%s, %s): %d dead letters, replaying %d%n",
            g.fingerprint(), g.reason().column(), g.message(), g.count(), ids.size());
        if (!ids.isEmpty()) {
          replayed += deadLetters.replayAll(ids, "ops", "the handler is fixed (issue 24 scenario)").size();
        }
      }
      return replayed;
    }
  }

  /** Prints the figures, then checks exactly once and in order for every sequence. */
  private static void report(Scenario scenario, String topic, String group, SequencePlan plan, double crashPhase,
      int replayed) {
    long total = (long) plan.sequences() * UPDATES;
    long rows = scenario.effects(topic);
    long distinct = db.count("SELECT count(DISTINCT message_key) FROM " + ReliabilityDb.EFFECTS + " WHERE topic = '"
        + topic + "'");
    long deadLetters = db.count("SELECT count(*) FROM " + db.schema().deadLetters() + " WHERE scope = '"
        + group + "'");
    long notReplayed = db.count("SELECT count(*) FROM " + db.schema().deadLetters() + " WHERE scope = '"
        + group + "' AND state NOT IN ('replayed', 'superseded')");
    long audited = db.count("SELECT count(*) FROM " + db.schema().audit() + " WHERE scope = '" + group
        + "' AND action = 'dead-letter-replay'");
    long violations = violations();
    long incomplete = counters().values().stream().filter(c -> c != UPDATES).count();
    long orphanClaims = scenario.claimsWithoutEffect(topic);
    boolean pass = deadLetters == total - plan.appliedBeforeReplay() && audited == deadLetters && rows == total && distinct == total && violations == 0 && incomplete == 0 && notReplayed == 0
        && orphanClaims == 0 && parked(topic) == 0;
    System.out.printf(Locale.ROOT, "[reliability] sequencing: sequences=%d updates=%d poison=%d poisoned-sequences=%d "
            + "applied-before-replay=%d dead-letters=%d replayed-by-operator=%d kills=%d violations=%d "
            + "crash-phase=%.1fs replay-phase=%.1fs%n", plan.sequences(), UPDATES, plan.poison().size(),
        plan.poisoned(), plan.appliedBeforeReplay(), deadLetters, replayed, scenario.faults(), violations, crashPhase,
        scenario.elapsedSeconds() - crashPhase);
    new Scenario.Outcome("sequencing", Sizes.profile(), scenario.seed(), (int) total, 0, scenario.faults(), rows,
        total - distinct, rows - distinct, plan.poison().size(), (int) deadLetters,
        Duration.ofMillis((long) (scenario.elapsedSeconds() * 1000)), pass).print();
    assertThat(violations).as("updates applied out of order or twice (rows of %s)", SequenceCounterHandler.VIOLATIONS)
        .isZero();
    assertThat(incomplete).as("sequences that did not reach update %d after the replay", UPDATES).isZero();
    assertThat(distinct).as("updates without an effect (lost)").isEqualTo(total);
    assertThat(rows - distinct).as("second effects of one update (doubled)").isZero();
    assertThat(orphanClaims).as("keys claimed without their effect").isZero();
    assertThat(deadLetters).as("dead letters: each poisoned sequence's head and the updates parked behind it")
        .isEqualTo(total - plan.appliedBeforeReplay());
    assertThat(notReplayed).as("dead letters neither replayed nor superseded").isZero();
    assertThat(audited).as("replayed dead letters audited, each").isEqualTo(deadLetters);
    assertThat(parked(topic)).as("sequences still parked").isZero();
  }

  private static long parked(String topic) {
    return db.count("SELECT count(*) FROM " + db.schema().parkedSequences() + " WHERE source_topic = '"
        + topic + "'");
  }

  private static long violations() {
    return db.count("SELECT count(*) FROM " + SequenceCounterHandler.VIOLATIONS);
  }

  private static Map<String, Integer> counters() {
    Map<String, Integer> counters = new HashMap<>();
    DataSource ds = db.db.dataSource();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT sequence_key, counter FROM "
            + SequenceCounterHandler.COUNTERS);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        counters.put(rs.getString(1), rs.getInt(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading the counters failed: " + e.getMessage(), e);
    }
    return counters;
  }
}

package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.KeyStrategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One run of a reliability scenario: its name, seed and fault count, and the check every scenario ends
 * with, in PostgreSQL and on the dead-letter topic:
 *
 * <ul>
 *   <li>every non-poison message has exactly one row in {@code shop.effects} (lost = none missing,
 *       doubled = no second row);
 *   <li>no poison message has an effect;
 *   <li>the dead-letter topic {@code <topic>.DLT} holds exactly the poison messages (as a set; and, where
 *       no fault can interrupt a dead-letter transaction, exactly once each).
 * </ul>
 *
 * The figures are printed (one line starting {@code [reliability]}) and appended as a Markdown row to the
 * file named by {@code dedup.reliability.report}, before the assertions, so a failing run shows them too.
 */
final class Scenario {
  private final String name;
  private final long seed;
  private final ReliabilityDb db;
  private final String bootstrapServers;
  private final long startNanos = System.nanoTime();
  private final AtomicInteger faults = new AtomicInteger();
  private final List<String> faultLog = new ArrayList<>();

  Scenario(String name, long seed, ReliabilityDb db, String bootstrapServers) {
    this.name = name;
    this.seed = seed;
    this.db = db;
    this.bootstrapServers = bootstrapServers;
    System.out.printf(Locale.ROOT, "[reliability] %s: start (profile %s, seed %d; replay with -Ddedup.seed=%d)%n",
        name, Sizes.profile(), seed, seed);
  }

  long seed() {
    return seed;
  }

  /** Counts an injected fault and prints it. */
  synchronized void fault(String what) {
    int n = faults.incrementAndGet();
    faultLog.add(what);
    System.out.printf(Locale.ROOT, "[reliability] %s: fault %d at %.1f s: %s%n", name, n, elapsedSeconds(), what);
  }

  int faults() {
    return faults.get();
  }

  /** Rows in {@code shop.effects} for {@code topic}. */
  long effects(String topic) {
    return db.count("SELECT count(*) FROM " + ReliabilityDb.EFFECTS + " WHERE topic = '" + topic + "'");
  }

  /**
   * Keys claimed as processed ({@code status = 'P'}) that have no effect row: a claim that committed
   * without its business write. Must always be zero (the claim and the write share one transaction). A claim
   * stores no topic, so this checks every claim of the database (every scenario's handler writes an effect
   * for each processed key); {@code topic} only names the check.
   */
  long claimsWithoutEffect(String topic) {
    return db.count("SELECT count(*) FROM " + db.schema().claims() + " c WHERE c.status = 'P' AND NOT EXISTS "
        + "(SELECT 1 FROM " + ReliabilityDb.EFFECTS + " e WHERE " + db.schema().function("dedup_key_id")
        + "(e.message_key) = c.key_id)");
  }

  /**
   * Waits (up to {@code timeout}) for every expected effect and every poison record on the DLT, then
   * checks and prints the invariant.
   *
   * @param dltExactlyOnce whether each poison record must be on the DLT exactly once (no crash can have
   *     interrupted a dead-letter transaction after its publish) or at least once
   */
  Outcome verify(Workload w, Duration timeout, boolean dltExactlyOnce) {
    String dlt = w.topic() + ".DLT";
    try {
      Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250))
          .until(() -> count(w).applied() >= w.expectedEffects());
      // then no new row for 2 s: a late second effect (a zombie, a redelivery) must land before we judge
      AtomicLong last = new AtomicLong(-1);
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .during(Duration.ofSeconds(2)).until(() -> {
            long now = effects(w.topic());
            return last.getAndSet(now) == now;
          });
    } catch (ConditionTimeoutException e) {
      System.out.printf("[reliability] %s: effects did not converge within %s%n", name, timeout);
    }
    Counts counts = count(w);
    List<String> dead = readTopic(dlt, w.poison().size());
    Set<String> deadSet = new HashSet<>(dead);
    Set<String> unexpectedDead = new HashSet<>(deadSet);
    unexpectedDead.removeAll(w.poison());
    Set<String> missingDead = new HashSet<>(w.poison());
    missingDead.removeAll(deadSet);
    long lost = w.expectedEffects() - counts.applied();
    long doubled = counts.rows() - counts.distinct();
    long orphanClaims = claimsWithoutEffect(w.topic());
    boolean pass = orphanClaims == 0 && lost == 0 && doubled == 0 && counts.poisonApplied() == 0 && unexpectedDead.isEmpty()
        && missingDead.isEmpty() && (!dltExactlyOnce || dead.size() == w.poison().size());
    Outcome o = new Outcome(name, Sizes.profile(), seed, w.unique(), w.resends(), faults.get(), counts.rows(),
        lost, doubled, w.poison().size(), dead.size(), Duration.ofNanos(System.nanoTime() - startNanos), pass);
    o.print();
    assertThat(lost).as("%s: messages without an effect (lost)", name).isZero();
    assertThat(orphanClaims).as("%s: keys claimed without their effect", name).isZero();
    assertThat(doubled).as("%s: second effects of one message (doubled)", name).isZero();
    assertThat(counts.poisonApplied()).as("%s: poison messages applied", name).isZero();
    assertThat(unexpectedDead).as("%s: records on the DLT that are not poison", name).isEmpty();
    assertThat(missingDead).as("%s: poison records missing from the DLT", name).isEmpty();
    if (dltExactlyOnce) {
      assertThat(dead).as("%s: each poison record once on the DLT", name).hasSize(w.poison().size());
    }
    return o;
  }

  private record Counts(long rows, long distinct, long poisonApplied) {
    long applied() {
      return distinct - poisonApplied;
    }
  }

  private Counts count(Workload w) {
    String sql = "SELECT count(*), count(DISTINCT message_key), count(DISTINCT message_key) FILTER "
        + "(WHERE message_key = ANY (?)) FROM " + ReliabilityDb.EFFECTS + " WHERE topic = ?";
    try (Connection c = db.db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      // PostgreSQL text cannot hold NUL: such a poison id can never be an effect's key anyway
      ps.setArray(1, c.createArrayOf("text", w.poison().stream().filter(k -> k.indexOf('\u0000') < 0).toArray()));
      ps.setString(2, w.topic());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("counting effects failed: " + e.getMessage(), e);
    }
  }

  /**
   * The ids ({@link #dltId}) of every record of {@code topic}, read from the beginning until
   * {@code expected} arrived (or 30 s), then one more second for surplus records.
   */
  List<String> readTopic(String topic, int expected) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> ids = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (ids.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> ids.add(dltId(r)));
      }
      long quiet = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < quiet) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> ids.add(dltId(r)));
      }
    }
    return ids;
  }

  /** A dead-lettered record's id: its idempotency key, or {@code offset:<original offset>} without one. */
  static String dltId(ConsumerRecord<byte[], byte[]> r) {
    Header key = r.headers().lastHeader(KeyStrategy.DEFAULT_HEADER);
    if (key != null && key.value() != null && key.value().length > 0 && key.value().length < 1024) {
      String text = new String(key.value(), StandardCharsets.UTF_8);
      if (text.indexOf('\uFFFD') < 0) {
        return text;
      }
    }
    Header offset = r.headers().lastHeader("dedup-dlt-original-offset");
    return "offset:" + (offset == null ? "?" : new String(offset.value(), StandardCharsets.UTF_8));
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The figures of one scenario run. */
  record Outcome(String scenario, String profile, long seed, int messages, int resends, int faults, long effects,
      long lost, long doubled, int poison, int deadLettered, Duration wall, boolean pass) {

    void print() {
      System.out.printf(Locale.ROOT, "[reliability] %s: messages=%d duplicates-injected=%d faults-injected=%d "
              + "effects=%d lost=%d doubled=%d poison=%d dlt=%d seed=%d wall=%.1fs result=%s%n", scenario, messages,
          resends, faults, effects, lost, doubled, poison, deadLettered, seed, wall.toMillis() / 1000.0,
          pass ? "PASS" : "FAIL");
      String file = System.getProperty("dedup.reliability.report");
      if (file == null) {
        return;
      }
      String row = String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d/%d | %s | %.0f s |%n",
          scenario, profile, messages, resends, faults, effects, lost, doubled, seed, deadLettered, poison,
          pass ? "PASS" : "FAIL", wall.toMillis() / 1000.0);
      try {
        Path path = Path.of(file);
        Files.createDirectories(path.getParent());
        if (!Files.exists(path)) {
          Files.writeString(path, "| scenario | profile | messages | re-sends | faults | effects | lost | doubled "
              + "| seed | DLT/poison | result | wall |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        }
        Files.writeString(path, row, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.testsupport.ChildJvm;
import io.github.kafkadedup.testsupport.KafkaBrokerProcess;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's chain under every fault: service A (a child JVM with a relay in its JVM) consumes {@code orders},
 * writes {@code a_orders} and sends {@code payments} through the outbox; a second relay runs in a JVM of its
 * own; service B (a child JVM) consumes {@code payments} with kafka-dedup and writes {@code b_payments}. At
 * seeded random points of the run A, B and the relay are SIGKILLed (and started again), the backends of the
 * three are cut with {@code pg_terminate_backend}, and the broker (a JVM of its own) is SIGKILLed and
 * restarted. The orders go out in rounds (event n of every key), and each fault waits until A has applied a
 * random part of its round, so that work is in flight in A, the relays and B when it lands. Once the outbox is
 * drained and both groups committed the end offsets, every order is in A once, every payment effect is in B
 * once, none is missing, and B applied each key's payments in order. Sizes: {@code -Doutbox.chain.keys} (100
 * keys x 10 events; soak 1,000) and {@code -Doutbox.chain.faults} (of each kind; 3, soak 10); {@code -Ddedup.seed}
 * replays a seed.
 */
class OutboxChainScenarioIT {
  private static final int PER_KEY = 10;
  private static KafkaBrokerProcess broker;
  private static TestDatabase db;
  private final Map<String, ChildJvm> children = new LinkedHashMap<>();
  private final List<String> faults = new ArrayList<>();
  private String orders;
  private String payments;

  enum Fault {
    KILL_A, KILL_B, KILL_RELAY, TERMINATE_BACKENDS, RESTART_BROKER
  }

  @BeforeAll
  static void setUp() {
    broker = KafkaBrokerProcess.start();
    db = TestPostgres.get().createDatabase("outbox_chain_faults");
    DedupMigrations.migrate(db.dataSource());
    db.execute("CREATE TABLE a_orders (id bigserial PRIMARY KEY, order_key text NOT NULL, seq int NOT NULL)",
        "CREATE TABLE b_payments (id bigserial PRIMARY KEY, order_key text NOT NULL, seq int NOT NULL)");
  }

  @AfterAll
  static void tearDown() {
    db.close();
    broker.close();
  }

  @Test
  void everyPaymentEffectExactlyOnceInOrderUnderEveryFault() throws Exception {
    long seed = Sizes.seed(14001);
    Random random = new Random(seed);
    int keys = Integer.getInteger("outbox.chain.keys", Sizes.pick(100, 1_000));
    int perKind = Integer.getInteger("outbox.chain.faults", Sizes.pick(3, 10));
    String run = "outbox chain seed=" + seed + " (-Ddedup.seed=" + seed + " replays it)";
    System.out.println(run);
    orders = createTopic("orders-" + Long.toHexString(seed));
    payments = createTopic("payments-" + Long.toHexString(seed));
    int events = keys * PER_KEY;

    List<Fault> plan = new ArrayList<>();
    for (Fault kind : Fault.values()) {
      for (int i = 0; i < (kind == Fault.RESTART_BROKER ? 1 : perKind); i++) {
        plan.add(kind);
      }
    }
    Collections.shuffle(plan, random);
    Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all",
        "enable.idempotence", "true", "linger.ms", "5");
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      start("a");
      start("relay");
      start("b");
      int next = 0;
      for (int seq = 0; seq < PER_KEY; seq++) {
        publishRound(producer, sent, keys, seq, random);
        // the faults of this round (none in round 0, the start-up), each once A has applied a random part of the
        // round: orders are then in flight in A, outbox rows in the relays, payments in B
        int due = seq == 0 ? 0 : plan.size() * seq / (PER_KEY - 1);
        for (; next < due; next++) {
          long target = (long) keys * seq + random.nextInt(Math.max(1, keys * 3 / 4));
          awaitProgress(run, () -> db.queryLong("SELECT count(*) FROM a_orders") >= target, Duration.ofSeconds(90),
              "a_orders >= " + target);
          String at = " @a_orders=" + db.queryLong("SELECT count(*) FROM a_orders") + ",b_payments="
              + db.queryLong("SELECT count(*) FROM b_payments") + "/" + events;
          inject(plan.get(next), random);
          faults.set(faults.size() - 1, faults.getLast() + at);
        }
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get(); // every order is in the topic (through the broker restart: idempotent, 2 min delivery timeout)
      }
      awaitProgress(run, () -> db.queryLong("SELECT count(DISTINCT (order_key, seq)) FROM b_payments") >= events,
          Duration.ofSeconds(120), "every payment in B");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        // nothing left that could still apply an effect twice: the outbox is drained, both groups committed the end
        awaitProgress(run, () -> db.queryLong("SELECT count(*) FROM outbox") == 0
            && caughtUp(admin, "service-a", orders) && caughtUp(admin, "service-b", payments),
            Duration.ofSeconds(60), "quiescence (outbox empty, service-a and service-b committed the end offsets)");
      }
    } finally {
      children.values().forEach(ChildJvm::close);
    }
    String context = run + ", faults " + faults;
    System.out.println(context);
    assertExactlyOnceInOrder("a_orders", keys, context);
    assertExactlyOnceInOrder("b_payments", keys, context);
  }

  private void inject(Fault fault, Random random) throws InterruptedException {
    switch (fault) {
      case KILL_A -> restart("a", random);
      case KILL_B -> restart("b", random);
      case KILL_RELAY -> restart("relay", random);
      case TERMINATE_BACKENDS -> {
        long cut = 0;
        for (int tries = 0; cut == 0 && tries < 50; tries++) { // none while all three are restarting: try again
          Thread.sleep(tries == 0 ? 0 : 100);
          cut = db.queryLong("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
              + "WHERE datname = '" + db.name() + "' AND application_name LIKE 'chain-%'");
        }
        faults.add("pg_terminate_backend x" + cut);
      }
      case RESTART_BROKER -> {
        broker.kill();
        Thread.sleep(500 + random.nextInt(1_500));
        broker.restart();
        faults.add("broker");
      }
    }
  }

  private void restart(String role, Random random) throws InterruptedException {
    children.remove(role).kill();
    faults.add("SIGKILL " + role);
    Thread.sleep(random.nextInt(500));
    start(role);
  }

  private void start(String role) {
    children.put(role, ChildJvm.builder(ChainServiceMain.class).name("chain-" + role)
        .jvmArgs("-Xmx256m", "-XX:+UseSerialGC")
        .args(role, broker.bootstrapServers(), db.jdbcUrl(), db.user(), db.password(), orders, payments).start());
  }

  /** Polls {@code done} until true; fails with the children's last output, since a stall means one of them died. */
  private void awaitProgress(String run, BooleanSupplier done, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder tails = new StringBuilder();
        children.forEach((role, child) -> tails.append("\n--- ").append(role).append(child.isAlive() ? "" : " (dead)")
            .append(":\n").append(child.tail()));
        throw new AssertionError(run + ": no " + what + " after " + timeout + " (faults " + faults + ", a_orders "
            + db.queryLong("SELECT count(*) FROM a_orders") + ", b_payments "
            + db.queryLong("SELECT count(*) FROM b_payments") + ")" + tails);
      }
      Thread.sleep(20);
    }
  }

  /** Whether {@code group} committed the end offset of every partition of {@code topic}. */
  private static boolean caughtUp(Admin admin, String group, String topic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < 3; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      for (var end : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
        OffsetAndMetadata done = committed.get(end.getKey());
        if (end.getValue().offset() > (done == null ? 0 : done.offset())) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false; // the broker is still coming back: ask again
    }
  }

  /** Each (key, seq) once, none missing, and the seqs of each key ascending in insertion order. */
  private static void assertExactlyOnceInOrder(String table, int keys, String context) throws Exception {
    List<String> rows = new ArrayList<>();
    Map<String, List<Integer>> perKey = new LinkedHashMap<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT order_key, seq FROM " + table + " ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "/" + rs.getInt(2));
        perKey.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2));
      }
    }
    Set<String> expected = new HashSet<>();
    for (int k = 0; k < keys; k++) {
      for (int seq = 0; seq < PER_KEY; seq++) {
        expected.add("order-" + k + "/" + seq);
      }
    }
    assertThat(rows).as("%s: each effect once (%s)", table, context).doesNotHaveDuplicates();
    assertThat(new HashSet<>(rows)).as("%s: every effect, none missing (%s)", table, context).isEqualTo(expected);
    perKey.forEach((key, seqs) -> assertThat(seqs).as("%s: order of %s (%s)", table, key, context).isSorted());
  }

  private static String createTopic(String name) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
      TestKafka.awaitLeaders(admin, name, 3);
    }
    return name;
  }

  /** Event {@code seq} of each order key, plus a re-send of an earlier event for about 5 % of the keys. */
  private void publishRound(KafkaProducer<String, String> producer, List<Future<RecordMetadata>> sent, int keys,
      int seq, Random random) {
    for (int k = 0; k < keys; k++) {
      sent.add(producer.send(order(k, seq)));
      if (seq > 0 && random.nextInt(20) == 0) {
        sent.add(producer.send(order(k, random.nextInt(seq)))); // an upstream re-send
      }
    }
  }

  private ProducerRecord<String, String> order(int key, int seq) {
    ProducerRecord<String, String> r = new ProducerRecord<>(orders, "order-" + key, String.valueOf(seq));
    r.headers().add(KeyStrategy.DEFAULT_HEADER, ("order-" + key + "/" + seq).getBytes(StandardCharsets.UTF_8));
    return r;
  }
}

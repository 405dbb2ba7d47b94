package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.migrations.DedupKeys;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.TestKafka;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input and configuration: keys (and a scope) made of SQL are stored verbatim and change
 * nothing; schema and table-prefix names that are not plain identifiers are refused before any SQL
 * runs; the role every scenario's consumers use has no DDL rights.
 */
class SecurityScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static final List<String> HOSTILE = List.of(
      "'); DROP TABLE processed_messages; --",
      "'); DROP TABLE kafka_dedup.processed_messages; --",
      "x' OR '1'='1",
      "$$; DROP SCHEMA kafka_dedup CASCADE; $$",
      "\\'; TRUNCATE shop.effects; --",
      "Robert'); DROP TABLE shop.effects;--",
      "\"; DELETE FROM kafka_dedup.consumer_offsets; --",
      "%s%n%x ${jndi:ldap://x} {{7*7}}",
      "E'\\x27'; SELECT pg_sleep(10); --",
      "ключ 🔑 ' -- ");
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("security");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void sqlInKeysAndScopeIsStoredVerbatimAndHarmless() throws SQLException {
    long seed = Sizes.seed(10001);
    String topic = Topics.withDlt(kafka, "hostile-keys", 2);
    String scope = "orders'); DROP TABLE processed_messages; --";
    Scenario scenario = new Scenario("sql in keys", seed, db, kafka.bootstrapServers());
    Set<String> keys = new HashSet<>();
    try (Producer<String, String> producer = new KafkaProducer<>(Consumers.producerProps(kafka.bootstrapServers()),
        new StringSerializer(), new StringSerializer());
        Consumers consumers = new Consumers(db, kafka.bootstrapServers(), topic, "g-" + topic, 2)) {
      int resends = 0;
      for (int round = 0; round < 2; round++) { // every message twice: the second is a re-send
        for (int i = 0; i < HOSTILE.size(); i++) {
          String key = i % 2 == 0 ? HOSTILE.get(i) : HOSTILE.get(i) + " #" + topic; // verbatim, and unique per run
          keys.add(key);
          ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, key);
          r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
          producer.send(r);
          resends += round;
        }
      }
      producer.flush();
      consumers.start("hostile", Map.of(), new EffectsHandler("hostile"), true,
          db.config().scope(scope).build());
      scenario.verify(new Workload(topic, keys.size(), resends, Set.of()), Duration.ofSeconds(60), true);
      // claims store each key's id (DedupKeys.id: the SHA-256 of its exact UTF-8 bytes) under the scope's id
      String scopeId = "(SELECT scope_id FROM " + db.schema().scopes() + " WHERE scope = '" + scope.replace("'", "''")
          + "')";
      assertThat(strings("SELECT key_id::text FROM " + db.schema().claims() + " WHERE scope_id = " + scopeId))
          .as("claimed keys, by the id of their exact bytes")
          .containsExactlyInAnyOrderElementsOf(keys.stream().map(k -> DedupKeys.id(k).toString()).toList());
      assertThat(strings("SELECT scope FROM " + db.schema().scopes() + " WHERE scope_id = " + scopeId))
          .as("the scope, verbatim").containsExactly(scope);
      assertThat(strings("SELECT DISTINCT scope FROM " + db.schema().consumerOffsets() + " WHERE topic = '" + topic
          + "'")).as("the offsets' scope, verbatim").containsExactly(scope);
      assertThat(strings("SELECT to_regclass(t)::text FROM unnest(ARRAY['kafka_dedup.processed_messages', "
          + "'kafka_dedup.claims', 'kafka_dedup.dedup_scopes', 'kafka_dedup.consumer_offsets', 'shop.effects']) t"))
          .as("every table is still there").containsExactly("kafka_dedup.processed_messages", "kafka_dedup.claims",
              "kafka_dedup.dedup_scopes", "kafka_dedup.consumer_offsets", "shop.effects");
      assertThat(string(consumers.pool(), "SELECT current_user")).as("the consumers' role").isEqualTo(db.app);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"x; drop table processed_messages", "public; DROP SCHEMA public CASCADE --", "\"public\"",
      "Public", "kafka dedup", "kafka_dedup.processed_messages", "pg_catalog", "select", "1abc", "",
      "a234567890123456789012345678901234567890123456789012345678901234", "ka\u0000fka", "kafka_dedup--"})
  void maliciousSchemaNamesAreRefusedBeforeAnySqlRuns(String schema) throws SQLException {
    long schemasBefore = db.count("SELECT count(*) FROM pg_namespace");
    assertThatThrownBy(() -> DedupSchema.of(schema)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema").hasMessageContaining("'" + schema + "'");
    assertThatThrownBy(() -> DedupMigrations.migrate(db.db.dataSource(), schema))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(db.count("SELECT count(*) FROM pg_namespace")).as("no schema created").isEqualTo(schemasBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {"kd_; DROP TABLE x; --", "KD_", "kd-", "kd_\"", "x y", "a234567890123456789012345678901"})
  void maliciousTablePrefixesAreRefused(String prefix) {
    assertThatThrownBy(() -> DedupSchema.of("kafka_dedup", prefix)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix").hasMessageContaining("'" + prefix + "'");
    assertThatThrownBy(() -> DedupConfig.builder().schema(DedupSchema.of("kafka_dedup", prefix)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theScenariosRuntimeRoleHasNoDdlRights() throws SQLException {
    DataSource app = db.appPool(1);
    assertThat(string(app, "SELECT current_user")).isEqualTo(db.app);
    assertThat(string(app, "SELECT has_schema_privilege(current_user, 'kafka_dedup', 'CREATE')::text"))
        .isEqualTo("false");
    assertThat(string(app, "SELECT has_schema_privilege(current_user, 'shop', 'CREATE')::text")).isEqualTo("false");
    List<String> ddl = List.of("DROP TABLE kafka_dedup.processed_messages", "TRUNCATE kafka_dedup.processed_messages",
        "ALTER TABLE kafka_dedup.processed_messages DROP CONSTRAINT processed_messages_pk",
        "DROP TABLE kafka_dedup.claims", "TRUNCATE kafka_dedup.claims", "DROP TABLE kafka_dedup.claims_g1",
        "ALTER TABLE kafka_dedup.claims DROP CONSTRAINT claims_pk", "DELETE FROM kafka_dedup.claims",
        "CREATE TABLE kafka_dedup.evil (i int)", "CREATE TABLE public.evil (i int)", "DROP TABLE shop.effects",
        "DELETE FROM shop.effects", "UPDATE shop.effects SET payload = 'x'", "CREATE SCHEMA evil",
        "SELECT count(*) FROM kafka_dedup.kafka_dedup_schema_history");
    for (String sql : ddl) {
      assertThatThrownBy(() -> execute(app, sql)).as(sql).isInstanceOfSatisfying(SQLException.class,
          e -> assertThat(e.getSQLState()).as("SQLSTATE of %s: %s", sql, e.getMessage()).isEqualTo("42501"));
    }
  }

  private static List<String> strings(String sql) {
    try (Connection c = db.db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String string(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}

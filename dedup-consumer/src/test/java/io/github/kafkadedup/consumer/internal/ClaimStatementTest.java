package io.github.kafkadedup.consumer.internal;

import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.KEY_ID;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.KEY_IDS;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.KEY_TEXTS;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.OFFSET;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.OFFSETS;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.PARTITION;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.PARTITIONS;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.SCOPE;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.SCOPE_ID;
import static io.github.kafkadedup.consumer.internal.ClaimStatement.Param.STATUS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.consumer.internal.ClaimStatement.Param;
import io.github.kafkadedup.migrations.DedupSchema;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Pins the claim path's statements: the text sent to PostgreSQL stays byte for byte what the benchmarks measured
 * (claim-sql.golden, written from the statements before they named their parameters), and each {@code ?} is bound
 * from the parameter the text names there, in order, with the setter the driver got before.
 */
class ClaimStatementTest {
  private static final ClaimSql SQL = new ClaimSql(DedupSchema.DEFAULT);

  /** A distinct value per parameter, so a binding shows which parameter went to which placeholder. */
  private static final Map<Param, Object> VALUES = values();

  @Test
  void textsAreTheMeasuredOnesByteForByte() throws IOException {
    Map<String, String> golden = golden();
    assertThat(SQL.claim(false).text()).isEqualTo(golden.get("CLAIM_FALSE"));
    assertThat(SQL.claim(true).text()).isEqualTo(golden.get("CLAIM_TRUE"));
    assertThat(SQL.lookup(false).text()).isEqualTo(golden.get("LOOKUP_FALSE"));
    assertThat(SQL.lookup(true).text()).isEqualTo(golden.get("LOOKUP_TRUE"));
    assertThat(SQL.mark().text()).isEqualTo(golden.get("MARK"));
  }

  @Test
  void claimBindsInTheOrderOfItsText() throws SQLException {
    assertBindsInOrder(SQL.claim(false), KEY_IDS, PARTITIONS, OFFSETS, SCOPE_ID, SCOPE_ID, STATUS, SCOPE_ID);
    assertBindsInOrder(SQL.claim(true), KEY_IDS, PARTITIONS, OFFSETS, KEY_TEXTS, SCOPE_ID, SCOPE, SCOPE_ID, STATUS,
        SCOPE_ID);
  }

  @Test
  void lookupBindsInTheOrderOfItsText() throws SQLException {
    assertBindsInOrder(SQL.lookup(false), SCOPE_ID, KEY_IDS);
    assertBindsInOrder(SQL.lookup(true), SCOPE_ID, KEY_IDS, KEY_TEXTS, KEY_IDS, SCOPE);
  }

  @Test
  void markBindsInTheOrderOfItsText() throws SQLException {
    assertBindsInOrder(SQL.mark(), STATUS, PARTITION, OFFSET, SCOPE_ID, KEY_ID, SCOPE_ID, OFFSET, KEY_ID, PARTITION,
        STATUS);
  }

  @Test
  void eachPlaceholderCarriesItsParametersCast() {
    // the cast written after a placeholder must fit the parameter bound there
    Map<Param, String> casts = Map.of(KEY_IDS, "::uuid[]", PARTITIONS, "::int4[]", OFFSETS, "::int8[]", KEY_TEXTS,
        "::text[]", STATUS, "::\"char\"");
    for (ClaimStatement statement : List.of(SQL.claim(false), SQL.claim(true), SQL.lookup(false), SQL.lookup(true),
        SQL.mark())) {
      String text = statement.text();
      int at = -1;
      for (Param param : statement.params()) {
        at = text.indexOf('?', at + 1);
        if (casts.containsKey(param)) {
          assertThat(text.substring(at + 1)).as("%s at placeholder %d", param, at).startsWith(casts.get(param));
        } else {
          assertThat(text.substring(at + 1)).as("%s at placeholder %d", param, at).doesNotStartWith("::");
        }
      }
      assertThat(text.indexOf('?', at + 1)).as("no placeholder without a parameter").isEqualTo(-1);
    }
  }

  @Test
  void ofTurnsNamesIntoPlaceholdersAndRefusesUnknownOnes() throws SQLException {
    ClaimStatement s = ClaimStatement.of("SELECT {SCOPE_ID}, {KEY_ID}::uuid, {SCOPE_ID}");
    assertThat(s.text()).isEqualTo("SELECT ?, ?::uuid, ?");
    assertThat(s.params()).containsExactly(SCOPE_ID, KEY_ID, SCOPE_ID);
    assertThatThrownBy(() -> ClaimStatement.of("SELECT {SCOPE_IDS}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SCOPE_IDS");
    assertThatThrownBy(() -> s.bind(recorder(new ArrayList<>()), Map.of(SCOPE_ID, 7)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no value for KEY_ID (parameter 2");
  }

  private static void assertBindsInOrder(ClaimStatement statement, Param... expected) throws SQLException {
    assertThat(statement.params()).containsExactly(expected);
    assertThat(statement.text().chars().filter(ch -> ch == '?').count()).isEqualTo(expected.length);
    List<String> calls = new ArrayList<>();
    statement.bind(recorder(calls), VALUES);
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < expected.length; i++) {
      wanted.add(setter(expected[i]) + "(" + (i + 1) + ", " + expected[i] + ")");
    }
    assertThat(calls).containsExactlyElementsOf(wanted);
  }

  /** The setter the store called for each parameter before it was bound by name. */
  private static String setter(Param param) {
    return switch (param) {
      case SCOPE_ID, PARTITION -> "setInt";
      case OFFSET -> "setLong";
      case SCOPE, STATUS -> "setString";
      case KEY_IDS, PARTITIONS, OFFSETS, KEY_TEXTS, KEY_ID -> "setObject";
    };
  }

  /** A prepared statement that records each setter call as "setX(index, PARAM)", naming the value's parameter. */
  private static PreparedStatement recorder(List<String> calls) {
    return (PreparedStatement) Proxy.newProxyInstance(ClaimStatementTest.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
          Param of = VALUES.entrySet().stream().filter(e -> Objects.equals(e.getValue(), args[1]))
              .map(Map.Entry::getKey).findFirst().orElseThrow();
          calls.add(method.getName() + "(" + args[0] + ", " + of + ")");
          return null;
        });
  }

  private static Map<Param, Object> values() {
    Map<Param, Object> v = new EnumMap<>(Param.class);
    v.put(SCOPE_ID, 7);
    v.put(SCOPE, "billing");
    v.put(STATUS, "P");
    v.put(KEY_IDS, new UUID[] {UUID.randomUUID()});
    v.put(PARTITIONS, new int[] {3});
    v.put(OFFSETS, new long[] {1842L});
    v.put(KEY_TEXTS, new String[] {"order-42"});
    v.put(KEY_ID, UUID.randomUUID());
    v.put(PARTITION, 4);
    v.put(OFFSET, 1843L);
    return v;
  }

  private static Map<String, String> golden() throws IOException {
    try (InputStream in = ClaimStatementTest.class.getResourceAsStream("claim-sql.golden")) {
      String text = new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> out = new LinkedHashMap<>();
      String name = null;
      StringBuilder body = new StringBuilder();
      for (String line : text.split("\n", -1)) {
        if (line.startsWith("-- ")) {
          if (name != null) {
            out.put(name, body.substring(0, body.length() - 1));
          }
          name = line.substring(3);
          body.setLength(0);
        } else {
          body.append(line).append('\n');
        }
      }
      if (name != null) {
        out.put(name, body.substring(0, body.length() - 2)); // the file's last line break
      }
      return out;
    }
  }
}

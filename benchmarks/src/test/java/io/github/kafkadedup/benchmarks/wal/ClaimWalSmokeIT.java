package io.github.kafkadedup.benchmarks.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A tiny run of the WAL harness on its own embedded server: every variant prints a readable line. */
class ClaimWalSmokeIT {

  @Test
  void printsOneReadableLinePerVariantAndTheRetentionCost() throws Exception {
    WalOptions options = WalOptions.parse("--quick", "--seconds", "2", "--variants", "v1-text,v2-uuidv7");

    List<String> lines = ClaimWal.run(options, line -> { });

    Map<String, Map<String, String>> runs = parse(lines, "variant");
    assertThat(runs).containsOnlyKeys("v1-text", "v2-uuidv7");
    for (Map<String, String> run : runs.values()) {
      assertThat(Double.parseDouble(run.get("keys_per_s"))).isPositive();
      // a claim or a business row always writes WAL: a zero here would mean the counter is not read
      assertThat(Double.parseDouble(run.get("wal_bytes_per_key"))).isGreaterThan(50);
      assertThat(run).containsKey("server_cpu_us_per_key");
      assertThat(Long.parseLong(run.get("checkpoints"))).isPositive();
    }

    Map<String, Map<String, String>> retention = parse(lines, "retention");
    assertThat(retention).containsOnlyKeys("v1-text", "v2-uuidv7");
    assertThat(retention.get("v1-text").get("expired_keys")).isEqualTo("5000");
    // deleting row by row writes WAL per row; dropping a partition does not grow with its rows
    assertThat(Double.parseDouble(retention.get("v1-text").get("wal_bytes_per_expired_key")))
        .isGreaterThan(10 * Double.parseDouble(retention.get("v2-uuidv7").get("wal_bytes_per_expired_key")));
    assertThat(lines).anyMatch(l -> l.startsWith("# checkpoints: "));
  }

  /** name to fields, for the lines that start with {@code first=}. */
  private static Map<String, Map<String, String>> parse(List<String> lines, String first) {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (String line : lines) {
      if (!line.startsWith(first + "=")) {
        continue;
      }
      Map<String, String> fields = new HashMap<>();
      for (String part : new ArrayList<>(List.of(line.split(" ")))) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          fields.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
      out.put(fields.get(first), fields);
    }
    return out;
  }
}

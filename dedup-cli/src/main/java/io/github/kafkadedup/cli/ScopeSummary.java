package io.github.kafkadedup.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One line per scope from the per-generation counts: totals and the oldest and newest generation holding its claims. */
final class ScopeSummary {
  private ScopeSummary() {}

  static List<Map<String, @Nullable Object>> of(List<Map<String, @Nullable Object>> perGeneration) {
    Map<String, Map<String, @Nullable Object>> byScope = new LinkedHashMap<>();
    for (Map<String, @Nullable Object> row : perGeneration) {
      Map<String, @Nullable Object> s = byScope.computeIfAbsent((String) row.get("scope"), scope -> {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("scope", scope);
        m.put("claims", 0L);
        m.put("deadLettered", 0L);
        m.put("generations", 0L);
        m.put("oldestGenerationStart", null);
        m.put("newestGenerationStart", null);
        return m;
      });
      long processed = ((Number) row.get("processed")).longValue();
      long dead = ((Number) row.get("deadLettered")).longValue();
      s.put("claims", (Long) s.get("claims") + processed + dead);
      s.put("deadLettered", (Long) s.get("deadLettered") + dead);
      s.put("generations", (Long) s.get("generations") + 1);
      Instant started = (Instant) row.get("generationStartedAt");
      if (started != null) {
        Instant oldest = (Instant) s.get("oldestGenerationStart");
        Instant newest = (Instant) s.get("newestGenerationStart");
        s.put("oldestGenerationStart", oldest == null || started.isBefore(oldest) ? started : oldest);
        s.put("newestGenerationStart", newest == null || started.isAfter(newest) ? started : newest);
      }
    }
    return new ArrayList<>(byScope.values());
  }
}

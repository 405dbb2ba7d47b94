package io.github.kafkadedup.consumer.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A batch's columns as arrays for the claim's parameters ({@link ClaimSql#claim}), and each id's key. */
record ClaimBatch(UUID[] ids, String[] texts, int[] partitions, long[] offsets, Map<UUID, String> keyOf) {
  static ClaimBatch of(List<? extends Candidate<?, ?>> candidates) {
    int n = candidates.size();
    ClaimBatch b = new ClaimBatch(new UUID[n], new String[n], new int[n], new long[n], new HashMap<>(n * 2));
    for (int i = 0; i < n; i++) {
      Candidate<?, ?> candidate = candidates.get(i);
      b.ids[i] = candidate.id();
      b.texts[i] = candidate.key();
      b.partitions[i] = candidate.record().partition();
      b.offsets[i] = candidate.record().offset();
      b.keyOf.put(b.ids[i], b.texts[i]);
    }
    return b;
  }
}

package io.github.kafkadedup.reliability;

import java.util.Set;

/**
 * What a scenario published ({@link Publisher}): {@code unique} messages {@code m0..m(n-1)}, each with its
 * own idempotency key, plus injected re-sends; the poison messages among them must end up on the
 * dead-letter topic, never as an effect.
 *
 * @param topic the topic
 * @param unique distinct messages published
 * @param resends re-sends injected (the same message again, at a new offset)
 * @param poison idempotency keys (or other {@link Scenario#dltId DLT ids}) of the poison records
 */
record Workload(String topic, int unique, int resends, Set<String> poison) {

  /** Distinct messages that must have exactly one business effect. */
  int expectedEffects() {
    return unique - poison.size();
  }
}

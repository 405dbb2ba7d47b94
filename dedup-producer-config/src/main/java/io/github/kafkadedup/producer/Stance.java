package io.github.kafkadedup.producer;

/**
 * What a preset does with a user override that weakens its guarantees (for example {@code acks=1} on
 * the idempotent producer, or {@code enable.auto.commit=true} on the dedup consumer).
 *
 * <p>The stance only governs such overrides. Missing required settings ({@code bootstrap.servers},
 * {@code group.id}), values that cannot be parsed, and combinations that kafka-clients itself refuses
 * always throw {@link ConfigValidationException}.
 */
public enum Stance {
  /**
   * The default: {@code build()} throws {@link ConfigValidationException} naming the property, its value,
   * why it is rejected and how to fix it.
   */
  STRICT,

  /**
   * {@code build()} keeps the user's value and logs one WARN line per offending property, with the same
   * text {@link #STRICT} would throw. Meant for a staged rollout onto existing applications. Nothing is
   * changed on the user's behalf, so kafka-clients may still refuse the result (for example {@code acks=1}
   * together with the preset's {@code enable.idempotence=true}; override {@code enable.idempotence=false}
   * too if that is really what you want).
   */
  WARN
}

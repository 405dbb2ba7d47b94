package io.github.kafkadedup.outbox.internal;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * The library's spans, as Micrometer observations: each factory returns {@link Observation#NOOP} without
 * allocating anything when the registry is a no-op (the default), so the hot path is unchanged with tracing
 * off. Trace context travels in Kafka headers ({@code traceparent}, {@code tracestate}: whatever the tracer's
 * propagator writes): a handled record's headers are read ({@link #handle}), an outbox row's headers are
 * written ({@link #outboxWrite}) and stored with it, the relay reads them back and writes the published
 * record's ({@link #relayPublish}).
 */
public final class Observations {
  /** One poll batch through the engine. */
  public static final String BATCH = "kafka.dedup.batch";
  /** The claim round trip of a batch. */
  public static final String CLAIM = "kafka.dedup.claim";
  /** The handler: per record (continuing the record's trace context) or per batch. */
  public static final String HANDLE = "kafka.dedup.handle";
  /** One record written to the outbox (its trace context is stored with the row). */
  public static final String OUTBOX_WRITE = "kafka.dedup.outbox.write";
  /** The relay reading one outbox row (continuing the stored trace context). */
  public static final String RELAY = "kafka.dedup.relay";
  /** The relay handing one row to its producer (the published record carries this span's context). */
  public static final String RELAY_PUBLISH = "kafka.dedup.relay.publish";

  private Observations() {}

  /** Whether {@code registry} records anything; false for {@link ObservationRegistry#NOOP}. */
  public static boolean on(ObservationRegistry registry) {
    return !registry.isNoop();
  }

  /** A started observation of a poll batch in {@code scope} (not opened in scope). */
  public static Observation batch(ObservationRegistry registry, String scope, int records) {
    if (!on(registry)) {
      return Observation.NOOP;
    }
    return Observation.createNotStarted(BATCH, registry).contextualName("kafka-dedup batch")
        .lowCardinalityKeyValue("scope", scope).highCardinalityKeyValue("records", Integer.toString(records))
        .start();
  }

  /** A started observation of the claim of {@code keys} keys in {@code scope}. */
  public static Observation claim(ObservationRegistry registry, String scope, int keys) {
    if (!on(registry)) {
      return Observation.NOOP;
    }
    return Observation.createNotStarted(CLAIM, registry).contextualName("kafka-dedup claim")
        .lowCardinalityKeyValue("scope", scope).highCardinalityKeyValue("keys", Integer.toString(keys)).start();
  }

  /**
   * A started observation of the handler of {@code record} (a consumer span whose parent is the trace context
   * in the record's headers, if any), or of a batch handler when {@code record} is null.
   */
  public static Observation handle(ObservationRegistry registry, String scope, @Nullable ConsumerRecord<?, ?> record) {
    if (!on(registry)) {
      return Observation.NOOP;
    }
    if (record == null) {
      return Observation.createNotStarted(HANDLE, registry).contextualName("kafka-dedup handle")
          .lowCardinalityKeyValue("scope", scope).start();
    }
    ReceiverContext<Headers> context = new ReceiverContext<>(Observations::header);
    context.setCarrier(record.headers());
    return Observation.createNotStarted(HANDLE, () -> context, registry)
        .contextualName(record.topic() + " process").lowCardinalityKeyValue("scope", scope)
        .lowCardinalityKeyValue("topic", record.topic())
        .highCardinalityKeyValue("where", record.topic() + "-" + record.partition() + "@" + record.offset())
        .start();
  }

  /**
   * Records the write of one outbox record to {@code topic}: a producer span, child of the current
   * observation (the handler's), whose trace context the tracer writes into {@code headers} (replacing any
   * trace headers the record had), so that the row stores it. Nothing happens with tracing off.
   */
  public static void outboxWrite(ObservationRegistry registry, String topic, Headers headers) {
    if (!on(registry)) {
      return;
    }
    SenderContext<Headers> context = new SenderContext<>(Observations::replace);
    context.setCarrier(headers);
    context.setRemoteServiceName("outbox");
    Observation.createNotStarted(OUTBOX_WRITE, () -> context, registry).contextualName(topic + " outbox write")
        .lowCardinalityKeyValue("topic", topic).start().stop();
  }

  /**
   * The headers to publish an outbox row with: with tracing on, a relay span continuing the trace context
   * stored in the row's {@code headers} and, under it, a producer span whose context replaces it in the
   * returned headers; with tracing off, {@code headers} unchanged.
   */
  @SuppressWarnings("try") // the scope makes the relay span the producer span's parent
  public static @Nullable Headers relayPublish(ObservationRegistry registry, String relay, String topic,
      @Nullable Headers headers) {
    if (!on(registry)) {
      return headers;
    }
    Headers carrier = headers != null ? headers : new RecordHeaders();
    ReceiverContext<Headers> stored = new ReceiverContext<>(Observations::header);
    stored.setCarrier(carrier);
    Observation read = Observation.createNotStarted(RELAY, () -> stored, registry)
        .contextualName(topic + " relay").lowCardinalityKeyValue("relay", relay)
        .lowCardinalityKeyValue("topic", topic).start();
    try (Observation.Scope ignored = read.openScope()) {
      SenderContext<Headers> outgoing = new SenderContext<>(Observations::replace);
      outgoing.setCarrier(carrier);
      Observation.createNotStarted(RELAY_PUBLISH, () -> outgoing, registry).parentObservation(read)
          .contextualName(topic + " publish").lowCardinalityKeyValue("relay", relay)
          .lowCardinalityKeyValue("topic", topic).start().stop();
    } finally {
      read.stop();
    }
    return carrier;
  }

  private static @Nullable String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void replace(@Nullable Headers headers, String name, String value) {
    if (headers != null) {
      headers.remove(name).add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}

package io.github.kafkadedup.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.RecordHandler;
import io.github.kafkadedup.consumer.Recoverer;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One trace from an upstream producer through service A (consumer, outbox), the relay and service B, with
 * Micrometer Tracing over OpenTelemetry and spans kept in memory; a record A dead-letters keeps the trace context
 * in its row, and its replay runs in the same trace. Real PostgreSQL and broker.
 */
class TraceThroughOutboxIT {
  static OutboxFixture fx;
  static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  static SdkTracerProvider provider;
  static Tracer tracer;
  static OtelPropagator propagator;
  static ObservationRegistry registry;

  @BeforeAll
  static void setUp() {
    fx = new OutboxFixture("trace_outbox");
    provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    io.opentelemetry.api.trace.Tracer otel = provider.get("kafka-dedup-test");
    ContextPropagators w3c = ContextPropagators.create(W3CTraceContextPropagator.getInstance());
    OtelCurrentTraceContext current = new OtelCurrentTraceContext();
    tracer = new OtelTracer(otel, current, event -> { }, new OtelBaggageManager(current, List.of(), List.of()));
    propagator = new OtelPropagator(w3c, otel);
    registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
        new DefaultTracingObservationHandler(tracer)));
  }

  @AfterAll
  static void tearDown() {
    fx.close();
    provider.close();
  }

  @Test
  void oneTraceRunsFromServiceAThroughTheOutboxAndRelayToServiceBAndAReplayJoinsIt() throws Exception {
    String orders = fx.kafka.createTopic("orders", 1);
    fx.kafka.createTopic(orders + ".DLT", 1, Map.of());
    String payments = fx.kafka.createTopic("payments", 1);
    String upstreamTrace = publishTraced(orders);

    AtomicInteger poisonFailures = new AtomicInteger();
    List<String> seenByA = new CopyOnWriteArrayList<>();
    List<String> seenByB = new CopyOnWriteArrayList<>();
    RecordHandler<String, String> a = (record, tx) -> {
      seenByA.add(record.value());
      if (record.value().equals("poison") && poisonFailures.getAndIncrement() < 2) {
        throw new IllegalStateException("poison, the first two times (the batch, then the record alone)");
      }
      tx.send(payments, record.key(), "paid " + record.value());
    };
    try (DedupConsumer<String, String> serviceA = consumer("svc-a", orders, a,
            Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer()));
        DedupConsumer<String, String> serviceB = consumer("svc-b", payments, (r, tx) -> seenByB.add(r.value()),
            Recoverer.logAndMarkDead())) {
      Thread ta = new Thread(serviceA::run, "svc-a");
      Thread tb = new Thread(serviceB::run, "svc-b");
      ta.start();
      tb.start();
      fx.started(fx.relay("traced-relay").observationRegistry(registry));
      await().atMost(Duration.ofSeconds(120)).until(() -> seenByB.contains("paid order-1"));

      SpanData bHandle = span(payments + " process", "svc-b", null);
      assertThat(bHandle.getTraceId()).as("B runs in the upstream trace").isEqualTo(upstreamTrace);
      SpanData publish = parentOf(bHandle);
      assertThat(publish.getName()).isEqualTo(payments + " publish");
      SpanData relay = parentOf(publish);
      assertThat(relay.getName()).isEqualTo(payments + " relay");
      SpanData write = parentOf(relay);
      assertThat(write.getName()).isEqualTo(payments + " outbox write");
      SpanData aHandle = parentOf(write);
      assertThat(aHandle.getName()).isEqualTo(orders + " process");
      assertThat(aHandle.getAttributes().asMap().toString()).contains("svc-a");
      assertThat(parentOf(aHandle).getName()).isEqualTo("upstream send");
      assertThat(span("kafka-dedup batch", "svc-a", null)).isNotNull();
      assertThat(span("kafka-dedup claim", "svc-a", null)).isNotNull();

      long deadLetter = fx.db.queryLong("SELECT id FROM dead_letters WHERE scope = 'svc-a'");
      DeadLetter stored = DeadLetters.of(fx.db.dataSource()).show(deadLetter).orElseThrow();
      assertThat(traceparent(stored.payload().headers())).as("the dead letter keeps the trace context")
          .contains(upstreamTrace);
      DeadLetters.of(fx.db.dataSource()).replay(deadLetter, "test", "trace test");
      await().atMost(Duration.ofSeconds(120)).until(() -> seenByB.contains("paid poison"));
      SpanData replayed = spans.getFinishedSpanItems().stream()
          .filter(s -> s.getName().equals(payments + " outbox write") && s.getStartEpochNanos() > write.getEndEpochNanos()).findFirst().orElseThrow();
      assertThat(replayed.getTraceId()).as("the replay runs in the trace of the dead-lettered record")
          .isEqualTo(upstreamTrace);
    }
  }

  /** Sends order-1 and poison under one upstream span; the trace id. */
  private static String publishTraced(String topic) throws Exception {
    Span upstream = tracer.nextSpan().name("upstream send").start();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(fx.kafka.producerProps())) {
      for (String value : List.of("order-1", "poison")) {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, value, value);
        r.headers().add(KeyStrategy.DEFAULT_HEADER, value.getBytes(StandardCharsets.UTF_8));
        propagator.inject(upstream.context(), r.headers(),
            (headers, k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        producer.send(r).get();
      }
    } finally {
      upstream.end();
    }
    return upstream.context().traceId();
  }

  private static DedupConsumer<String, String> consumer(String group, String topic, RecordHandler<String, String> h,
      Recoverer<String, String> recoverer) {
    Map<String, Object> props = new HashMap<>(fx.kafka.consumerProps(group));
    return DedupConsumer.builder(props, new StringDeserializer(), new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recoverer(recoverer)
        .config(DedupConfig.builder().observationRegistry(registry).build())
        .outbox(fx.outbox).recordHandler(h).build();
  }

  private static SpanData span(String name, String attribute, String notThisTrace) {
    Optional<SpanData> found = spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(name) && s.getAttributes().asMap().toString().contains(attribute))
        .filter(s -> notThisTrace == null || !s.getTraceId().equals(notThisTrace)).findFirst();
    assertThat(found).as("span %s (%s) among %s", name, attribute, names()).isPresent();
    return found.get();
  }

  private static SpanData parentOf(SpanData child) {
    Optional<SpanData> parent = spans.getFinishedSpanItems().stream()
        .filter(s -> s.getSpanId().equals(child.getParentSpanId())).findFirst();
    assertThat(parent).as("parent of %s among %s", child.getName(), names()).isPresent();
    return parent.get();
  }

  private static List<String> names() {
    List<String> out = new ArrayList<>();
    spans.getFinishedSpanItems().forEach(s -> out.add(s.getName() + "/" + s.getTraceId().substring(0, 6)));
    return out;
  }

  private static String traceparent(List<org.apache.kafka.common.header.Header> headers) {
    return headers.stream().filter(h -> h.key().equals("traceparent"))
        .map(h -> new String(h.value(), StandardCharsets.UTF_8)).findFirst().orElse("none");
  }
}

package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.BatchHandler;
import io.github.kafkadedup.consumer.RecordHandler;
import io.github.kafkadedup.outbox.internal.Observations;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/** The user's handler inside a handler span; the handler itself when tracing is off. */
final class TracedHandlers {
  private TracedHandlers() {}

  /** {@code handler} in one span per batch. */
  @SuppressWarnings("try") // the scope makes the span current; the body does not name it
  static <K, V> BatchHandler<K, V> batch(BatchHandler<K, V> handler, ObservationRegistry registry, String scope) {
    if (!Observations.on(registry)) {
      return handler;
    }
    return (records, context) -> {
      Observation span = Observations.handle(registry, scope, null);
      try (Observation.Scope ignored = span.openScope()) {
        handler.handle(records, context);
      } catch (Exception | Error e) {
        span.error(e);
        throw e;
      } finally {
        span.stop();
      }
    };
  }

  /** {@code handler} in one span per record, continuing the record's trace context. */
  @SuppressWarnings("try")
  static <K, V> RecordHandler<K, V> record(RecordHandler<K, V> handler, ObservationRegistry registry, String scope) {
    if (!Observations.on(registry)) {
      return handler;
    }
    return (record, context) -> {
      Observation span = Observations.handle(registry, scope, record);
      try (Observation.Scope ignored = span.openScope()) {
        handler.handle(record, context);
      } catch (Exception | Error e) {
        span.error(e);
        throw e;
      } finally {
        span.stop();
      }
    };
  }
}

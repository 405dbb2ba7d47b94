package io.github.kafkadedup.benchmarks.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The latencies of one run of the latency harness: for every committed record, its commit time (taken by
 * the consumer after the commit) minus its send time (the {@value #SENT_HEADER} header: the time the
 * constant-rate producer was scheduled to send it, in epoch microseconds), in an HdrHistogram of
 * microseconds (3 significant digits). Records sent before {@link #measureFrom} (the warm-up) are counted
 * but not recorded.
 */
final class Latencies {
  /** The header carrying a record's scheduled send time, epoch microseconds as decimal text. */
  static final String SENT_HEADER = "bench-sent-us";

  private static final long HIGHEST = TimeUnit.MINUTES.toMicros(10);

  private final Histogram histogram = new ConcurrentHistogram(HIGHEST, 3);
  private final AtomicLong committed = new AtomicLong();
  private volatile long fromMicros = Long.MAX_VALUE;

  /** Records sent at or after {@code micros} (epoch) are recorded from now on. */
  void measureFrom(long micros) {
    fromMicros = micros;
  }

  /** The current time in epoch microseconds. */
  static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** The scheduled send time of {@code record}, or -1 without the header. */
  static long sentMicros(ConsumerRecord<?, ?> record) {
    Header h = record.headers().lastHeader(SENT_HEADER);
    return h == null ? -1 : Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
  }

  /** A record sent at {@code sent} committed at {@code now}. */
  void record(long sent, long now) {
    committed.incrementAndGet();
    if (sent >= fromMicros) {
      histogram.recordValue(Math.max(0, Math.min(now - sent, HIGHEST)));
    }
  }

  /** Records committed so far, warm-up included. */
  long committed() {
    return committed.get();
  }

  /** The recorded latencies (microseconds). */
  Histogram histogram() {
    return histogram;
  }
}

package io.github.kafkadedup.benchmarks.e2e;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * What the consumer threads of one run report: the start of each batch's business write (batch cycle
 * times are the intervals between them on one thread), records applied, and their own CPU time from
 * their first batch to their last. The run ends when {@code target} records were applied.
 */
final class RunProbe {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long target;
  private final boolean untilDelivered;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong startNanos = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
  private final ConcurrentLinkedQueue<Long> cycles = new ConcurrentLinkedQueue<>();
  private final List<PerThread> threads = new CopyOnWriteArrayList<>();
  private final ThreadLocal<PerThread> mine = ThreadLocal.withInitial(this::register);
  private volatile long endNanos;
  private volatile @Nullable Latencies latencies;
  /** Send times of records written in the consumer thread's open transaction, by partition and offset. */
  private final ThreadLocal<Map<Long, Long>> pending = ThreadLocal.withInitial(HashMap::new);

  /** One consumer thread's marks. */
  private static final class PerThread {
    long lastStart;
    long cpuFirst = -1;
    volatile long cpuLast;
  }

  RunProbe(long target) {
    this(target, false);
  }

  /**
   * @param untilDelivered whether the run ends when {@link #delivered} reports {@code target} records on the
   *     outgoing topic (the modes that send one record per consumed record) rather than when they were applied
   */
  RunProbe(long target, boolean untilDelivered) {
    this.target = target;
    this.untilDelivered = untilDelivered;
  }

  private PerThread register() {
    PerThread t = new PerThread();
    threads.add(t);
    return t;
  }

  /**
   * Records, from now on, each committed record's latency (commit time minus the send time in its
   * {@link Latencies#SENT_HEADER} header) into {@code value}.
   */
  void recordLatencies(Latencies value) {
    this.latencies = value;
  }

  /**
   * Called on a consumer thread inside the transaction that writes {@code records}; {@link #committed()} on
   * the same thread after its commit records their latencies (a retried transaction registers them again).
   */
  void pending(List<? extends ConsumerRecord<?, ?>> records) {
    if (latencies == null) {
      return;
    }
    Map<Long, Long> mine = pending.get();
    for (ConsumerRecord<?, ?> r : records) {
      long sent = Latencies.sentMicros(r);
      if (sent > 0) {
        mine.put(((long) r.partition() << 40) | r.offset(), sent);
      }
    }
  }

  /** Called on a consumer thread right after the commit of the records it registered with {@link #pending}. */
  void committed() {
    Latencies l = latencies;
    Map<Long, Long> mine = pending.get();
    if (l != null && !mine.isEmpty()) {
      long now = Latencies.nowMicros();
      mine.values().forEach(sent -> l.record(sent, now));
    }
    mine.clear();
  }

  /** Called on a consumer thread right after the commit of {@code records}' transaction. */
  void committed(List<? extends ConsumerRecord<?, ?>> records) {
    Latencies l = latencies;
    if (l == null) {
      return;
    }
    long now = Latencies.nowMicros();
    for (ConsumerRecord<?, ?> r : records) {
      long sent = Latencies.sentMicros(r);
      if (sent > 0) {
        l.record(sent, now);
      }
    }
  }

  /** Called on a consumer thread when a batch's business write starts. */
  void batchStarting() {
    long now = System.nanoTime();
    startNanos.compareAndSet(0, now);
    PerThread t = mine.get();
    if (t.lastStart != 0) {
      cycles.add(now - t.lastStart);
    }
    t.lastStart = now;
    long cpu = THREADS.getCurrentThreadCpuTime();
    if (t.cpuFirst < 0) {
      t.cpuFirst = cpu;
    }
    t.cpuLast = cpu;
  }

  /** Called on a consumer thread after a batch's records were written (before its commit). */
  void applied(int records) {
    mine.get().cpuLast = THREADS.getCurrentThreadCpuTime();
    if (applied.addAndGet(records) >= target && !untilDelivered) {
      end();
    }
  }

  /** Called by the watcher of the outgoing topic with the records found on it so far. */
  void delivered(long records) {
    if (records >= target && untilDelivered && startNanos.get() != 0) {
      end();
    }
  }

  private synchronized void end() {
    if (endNanos == 0) {
      endNanos = System.nanoTime();
      done.countDown();
    }
  }

  /** Waits until {@code target} records were applied. */
  void await(Duration timeout) throws InterruptedException {
    if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the run applied only " + applied.get() + " of " + target
          + " records" + (untilDelivered ? " (or did not deliver them all)" : "") + " in " + timeout);
    }
  }

  /** Nanoseconds from the first batch's write to the target being reached. */
  long elapsedNanos() {
    return endNanos - startNanos.get();
  }

  long applied() {
    return applied.get();
  }

  /** Batch cycle times in nanoseconds, sorted. */
  double[] sortedCycles() {
    return cycles.stream().mapToDouble(Long::doubleValue).sorted().toArray();
  }

  /** CPU nanoseconds the consumer threads spent between their first and last batch. */
  long consumerCpuNanos() {
    return threads.stream().mapToLong(t -> t.cpuFirst < 0 ? 0 : t.cpuLast - t.cpuFirst).sum();
  }
}

package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.OutboxMetrics;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.micrometer.observation.ObservationRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link OutboxRelay}: one thread that owns lanes, publishes their rows in id order and deletes them. */
public final class RelayLoop implements OutboxRelay, Runnable {
  private static final Logger log = LoggerFactory.getLogger(OutboxLoggers.RELAY);
  private static final long STATS_EVERY_MILLIS = 5_000;
  /** Sleep slices while waiting, so that close() is seen within this time. */
  private static final long SLICE_MILLIS = 200;

  /** The builder's settings. */
  public record Settings(DataSource dataSource, IdempotentProducerConfig producer, DedupSchema schema, String name,
      int maxLanes, int batchSize, Duration pollInterval, Duration rebalanceInterval, Duration maxBackoff,
      Duration closeTimeout, OutboxMetrics metrics, ObservationRegistry observations) {}

  private final Settings settings;
  private final Backoff backoff;
  private volatile boolean closed;
  private volatile Set<Integer> ownedView = Set.of();
  private @Nullable Thread thread;
  private @Nullable RelaySession session;
  private @Nullable Publisher publisher;
  private @Nullable TopicGate topics;
  /** Sent in the previous round, acknowledgements not collected yet (only while a backlog drains). */
  private Publisher.@Nullable Pending inFlight;
  private long nextRebalance;
  private long nextStats;
  private int failures;

  /**
   * Use {@link OutboxRelay#builder}: public only because that builder is in another
   * package; outside this module, module-info
   * lets only the engine module see this package.
   */
  public RelayLoop(Settings settings) {
    this.settings = settings;
    this.backoff = new Backoff(Duration.ofMillis(100), settings.maxBackoff());
  }

  @Override
  public synchronized OutboxRelay start() {
    if (thread != null || closed) {
      throw new IllegalStateException("[" + settings.name() + "] relay already " + (closed ? "closed" : "started"));
    }
    publisher = new Publisher(settings.producer().toMap());
    topics = new TopicGate(settings.name(), settings.metrics(), settings.producer().toMap(), settings.maxBackoff());
    thread = new Thread(this, "kafka-dedup-" + settings.name());
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  @Override
  public Set<Integer> ownedLanes() {
    return ownedView;
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public void run() {
    log.info("[{}] started (up to {} lanes, batches of {})", settings.name(), settings.maxLanes(), settings.batchSize());
    try {
      while (!closed) {
        round();
      }
    } finally {
      finishInFlight();
      dropSession();
      if (topics != null) {
        topics.close();
      }
      if (publisher != null) {
        if (Thread.currentThread().isInterrupted()) {
          publisher.closeNow();
        } else {
          publisher.close();
        }
      }
      log.info("[{}] stopped", settings.name());
    }
  }

  /**
   * One round: connect, take lanes, read a batch, hand it to the producer, then collect the acknowledgements
   * of the batch sent in the previous round and delete its rows; wait when there is nothing to do; failures
   * back off. While a full batch is in flight the next one is read (leaving out the ids of the one in
   * flight), so that Kafka's round trip overlaps PostgreSQL's.
   */
  private void round() {
    try {
      RelaySession s = session();
      maybeRebalance(s);
      maybeReportBacklog(s);
      Publisher.Pending previous = inFlight;
      if (previous != null && !previous.excludableByRange()) {
        inFlight = null;
        finish(s, previous, true);
        previous = null;
      }
      TopicGate gate = java.util.Objects.requireNonNull(topics);
      s.excludeTopics(gate.excluded(System.currentTimeMillis()));
      List<OutboxRow> rows = s.owned().isEmpty() ? List.of()
          : previous == null ? s.fetch(settings.batchSize())
          : s.fetch(settings.batchSize(), previous.firstId(), previous.lastId());
      List<OutboxRow> admitted = gate.admit(s, rows); // a missing topic's rows wait, the others go
      inFlight = admitted.isEmpty() ? null : publisher().send(admitted, settings.observations(), settings.name());
      if (previous != null) {
        finish(s, previous, false);
      }
      if (rows.size() < settings.batchSize()) { // caught up: nothing to overlap the last batch with
        Publisher.Pending last = inFlight;
        inFlight = null;
        if (last != null) {
          finish(s, last, true);
        } else if (previous == null) {
          await(s, settings.pollInterval().toMillis());
        }
      }
    } catch (SQLException e) {
      inFlight = null; // not deleted: published again by whoever owns its lanes next
      dropSession(); // its lanes are released with the connection: another relay may take them
      fail("database", e);
    } catch (RuntimeException e) {
      // an unexpected producer or driver state: start over with a new producer and session rather than
      // let the thread die while the service keeps running without a relay
      inFlight = null;
      dropSession();
      renewPublisher();
      fail("relay", e);
    }
  }

  /** Collects a sent batch's acknowledgements ({@code flush} first if nothing follows it) and deletes its rows. */
  private void finish(RelaySession s, Publisher.Pending batch, boolean flush) throws SQLException {
    if (flush) {
      publisher().flush();
    }
    Publisher.Outcome outcome = batch.await();
    s.delete(outcome.published());
    settings.metrics().published(settings.name(), outcome.published().size());
    for (var unpublishable : outcome.unpublishable().entrySet()) {
      hold(s, unpublishable.getKey(), unpublishable.getValue());
    }
    if (outcome.failure() != null) {
      fail("publish", outcome.failure());
    } else {
      failures = 0;
    }
  }

  /** Sets a row that can never be published aside, so that its lane goes on (one WARN per row). */
  private void hold(RelaySession s, OutboxRow row, Exception failure) throws SQLException {
    s.hold(row, failure);
    boolean deadLetter = row.deadLetterId() != null;
    settings.metrics().held(settings.name(), deadLetter ? "dead-letter" : "outbox");
    log.warn("[{}] {} to {} ({} bytes) can never be published ({}); it is held in {} as {} {}, its lane goes on: "
        + "raise max.request.size on the relay's producer and the topic's max.message.bytes, then replay it, or "
        + "discard it (DeadLetters, kafka-dedup dead-letters)", settings.name(),
        deadLetter ? "the dead-letter copy of dead letter " + row.deadLetterId() : "outbox row " + row.id(),
        row.topic(), size(row), failure.toString(), settings.schema().deadLetters(),
        deadLetter ? "dead letter" : "an unpublishable", deadLetter ? row.deadLetterId() : "dead letter");
  }

  private static long size(OutboxRow row) {
    return (row.key() == null ? 0L : row.key().length) + (row.value() == null ? 0L : row.value().length)
        + (row.headers() == null ? 0L : row.headers().length);
  }

  /** On the way out: the batch in flight is acknowledged and deleted if it can be, so it is not sent twice. */
  private void finishInFlight() {
    Publisher.Pending last = inFlight;
    inFlight = null;
    if (last != null && session != null && publisher != null && !Thread.currentThread().isInterrupted()) {
      try {
        finish(session, last, true);
      } catch (SQLException | RuntimeException e) {
        log.warn("[{}] could not delete the last batch's rows; another relay publishes them again: {}",
            settings.name(), e.toString());
      }
    }
  }

  private void renewPublisher() {
    if (publisher != null) {
      publisher.closeNow();
    }
    try {
      publisher = new Publisher(settings.producer().toMap());
    } catch (RuntimeException e) {
      log.warn("[{}] could not create a producer: {}", settings.name(), e.toString());
      publisher = null;
    }
  }

  private RelaySession session() throws SQLException {
    if (session == null) {
      session = RelaySession.open(settings.dataSource(), settings.schema());
      nextRebalance = 0;
    }
    return session;
  }

  private void maybeRebalance(RelaySession s) throws SQLException {
    long now = System.currentTimeMillis();
    if (now < nextRebalance || s.owned().size() >= settings.maxLanes()) {
      return;
    }
    nextRebalance = now + settings.rebalanceInterval().toMillis();
    int added = s.acquire(settings.maxLanes() - s.owned().size());
    if (added > 0) {
      ownedView = Set.copyOf(new TreeSet<>(s.owned()));
      settings.metrics().lanes(settings.name(), s.owned().size());
      log.info("[{}] took {} lanes, owns {}: {}", settings.name(), added, s.owned().size(), s.owned());
    }
  }

  private void maybeReportBacklog(RelaySession s) throws SQLException {
    long now = System.currentTimeMillis();
    if (now >= nextStats && !s.owned().isEmpty()) {
      nextStats = now + STATS_EVERY_MILLIS;
      long[] backlog = s.backlog();
      settings.metrics().backlog(settings.name(), backlog[0], backlog[1]);
    }
  }

  /** Waits for a notification, up to {@code millis}, in slices so that close() is seen quickly. */
  private void await(RelaySession s, long millis) throws SQLException {
    long deadline = System.currentTimeMillis() + millis;
    if (s.owned().size() < settings.maxLanes()) {
      deadline = Math.min(deadline, nextRebalance);
    }
    long left;
    while (!closed && (left = deadline - System.currentTimeMillis()) > 0) {
      if (s.awaitNotification(Math.min(left, SLICE_MILLIS))) {
        return;
      }
    }
  }

  private void fail(String type, Exception e) {
    failures++;
    settings.metrics().failure(settings.name(), type);
    long delay = backoff.delayMillis(failures);
    log.warn("[{}] {} failed (attempt {}), retrying in {} ms: {}", settings.name(), type, failures, delay, e.toString());
    long until = System.currentTimeMillis() + delay;
    while (!closed && System.currentTimeMillis() < until) {
      try {
        Thread.sleep(Math.min(SLICE_MILLIS, Math.max(1, until - System.currentTimeMillis())));
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        closed = true;
      }
    }
  }

  private Publisher publisher() {
    if (publisher == null) {
      publisher = new Publisher(settings.producer().toMap()); // a failed renewal: try again
    }
    return publisher;
  }

  private void dropSession() {
    if (session != null) {
      session.close();
      session = null;
      ownedView = Set.of();
      settings.metrics().lanes(settings.name(), 0);
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(Math.max(1, settings.closeTimeout().toMillis()));
      if (t.isAlive()) {
        log.warn("[{}] did not stop within {}; interrupting it", settings.name(), settings.closeTimeout());
        t.interrupt();
        t.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.retention.RetentionJob;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

/** Runs the {@link RetentionJob} on {@code dedup.retention.schedule}, on a thread of its own. */
final class DedupRetentionScheduler implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(DedupRetentionScheduler.class);

  private final RetentionJob job;
  private final String schedule;
  private @Nullable ThreadPoolTaskScheduler scheduler;

  DedupRetentionScheduler(RetentionJob job, String schedule) {
    this.job = job;
    this.schedule = schedule;
  }

  @Override
  public synchronized void start() {
    ThreadPoolTaskScheduler s = new ThreadPoolTaskScheduler();
    s.setPoolSize(1);
    s.setThreadNamePrefix("kafka-dedup-retention-");
    s.setDaemon(true);
    s.initialize();
    s.schedule(this::runOnce, new CronTrigger(schedule));
    scheduler = s;
    log.info("kafka-dedup retention of {} scheduled '{}'", job.config().schema().claims(), schedule);
  }

  private void runOnce() {
    try {
      job.runOnce();
    } catch (RuntimeException e) {
      // a background job: the next run tries again; the job's meters show the gap
      log.warn("kafka-dedup retention run failed, next run as scheduled ('{}'): {}", schedule, e.toString());
    }
  }

  @Override
  public synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdown();
      scheduler = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return scheduler != null;
  }
}

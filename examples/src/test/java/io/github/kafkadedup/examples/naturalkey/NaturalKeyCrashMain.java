package io.github.kafkadedup.examples.naturalkey;

import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.examples.plain.OrderService;
import java.io.IOException;
import java.util.Map;

/**
 * A child JVM for {@link NaturalKeyOrderServiceIT}: the natural-key order service, which dies (halts, as a
 * SIGKILL would end it) right after its first batch's database commit, before that batch's offsets reach
 * Kafka. It prints {@code HALT-AFTER-DATABASE-COMMIT <records>} first. It also halts when its parent dies
 * (its standard input closes) or after five minutes. Args: bootstrap jdbcUrl user password topic group.
 */
public final class NaturalKeyCrashMain {
  private NaturalKeyCrashMain() {}

  /**
   * Runs the service until its first database commit.
   *
   * @param args bootstrap jdbcUrl user password topic group
   */
  public static void main(String[] args) {
    Thread.ofPlatform().daemon().start(NaturalKeyCrashMain::haltWithParent);
    Thread.ofPlatform().daemon().start(() -> {
      try {
        Thread.sleep(300_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(4);
    });
    DedupMetrics haltAfterCommit = new DedupMetrics() {
      @Override
      public void processed(String scope, int count) { // called after the commit, before Kafka's commitSync
        System.out.println("HALT-AFTER-DATABASE-COMMIT " + count);
        System.out.flush();
        Runtime.getRuntime().halt(137);
      }
    };
    Map<String, Object> overrides = Map.of("max.poll.records", 20, // the first batch is a part of the topic
        "session.timeout.ms", 3000, "heartbeat.interval.ms", 1000); // the group drops the dead member quickly
    new NaturalKeyOrderService(new OrderService.Settings(args[0], args[1], args[2], args[3], args[4], args[5]),
        haltAfterCommit, overrides).start();
  }

  private static void haltWithParent() {
    try {
      while (System.in.read() >= 0) {
        // the parent writes nothing: read() returns -1 when it dies
      }
    } catch (IOException e) {
      // the pipe broke: the parent is gone
    }
    Runtime.getRuntime().halt(3);
  }
}

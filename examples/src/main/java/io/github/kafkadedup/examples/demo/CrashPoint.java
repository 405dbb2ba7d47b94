package io.github.kafkadedup.examples.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the demo crashes a consumer. The demo asks a consumer to stop at one of these points by writing the
 * point's name to the file {@code <control dir>/<consumer name>.crash}; the consumer prints
 * {@code crash-point <name>} there and waits, and the demo kills it with SIGKILL. Both points lie inside the
 * processing of a batch, so the kill is a real mid-batch crash at a known place.
 */
enum CrashPoint {
  /**
   * The batch's rows are written but the transaction is not committed: PostgreSQL rolls it back when the
   * connection dies, and the next owner of the partitions processes the batch from scratch.
   */
  MID_TRANSACTION("mid-transaction: its rows were written but not committed"),
  /**
   * The transaction committed but the offsets are not yet committed to Kafka: the window every at-least-once
   * consumer has. The next owner receives the whole batch again (a redelivery).
   */
  AFTER_DB_COMMIT("after its database commit, before its Kafka offset commit");

  private final String description;

  CrashPoint(String description) {
    this.description = description;
  }

  String description() {
    return description;
  }

  String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static Path file(Path controlDir, String consumerName) {
    return controlDir.resolve(consumerName + ".crash");
  }

  /** Asks consumer {@code consumerName} to stop at this point. */
  void arm(Path controlDir, String consumerName) {
    try {
      Files.writeString(file(controlDir, consumerName), name(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Called by a consumer at this point: if the demo armed it, prints the marker line and waits to be killed. */
  void reachedBy(Path controlDir, String consumerName) {
    Path file = file(controlDir, consumerName);
    if (!Files.exists(file)) {
      return;
    }
    try {
      if (!Files.readString(file, StandardCharsets.UTF_8).trim().equals(name())) {
        return;
      }
    } catch (IOException e) {
      return; // being written or removed right now: not this batch
    }
    System.out.println("crash-point " + wireName());
    System.out.flush();
    while (true) { // the demo sends SIGKILL now
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

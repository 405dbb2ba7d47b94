package io.github.kafkadedup.reliability;

import io.github.kafkadedup.testsupport.ChildJvm;
import java.util.ArrayList;
import java.util.List;

/** Launches {@link ChildConsumerMain} for a scenario and closes (SIGKILLs) whatever still runs at the end. */
final class ChildConsumers implements AutoCloseable {
  private final ReliabilityDb db;
  private final String bootstrapServers;
  private final String topic;
  private final String group;
  private final List<ChildJvm> started = new ArrayList<>();
  private int count;

  ChildConsumers(ReliabilityDb db, String bootstrapServers, String topic, String group) {
    this.db = db;
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.group = group;
  }

  /** Starts a child consumer; {@code extra} are further {@code key=value} arguments (e.g. a halt point). */
  synchronized ChildJvm start(String... extra) {
    String name = "c" + (++count);
    List<String> args = new ArrayList<>(List.of("bootstrap=" + bootstrapServers, "jdbc=" + db.db.jdbcUrl(),
        "user=" + db.app, "password=" + db.password(), "topic=" + topic, "group=" + group, "name=" + name));
    args.addAll(List.of(extra));
    ChildJvm child = ChildJvm.builder(ChildConsumerMain.class).name(topic + "-" + name).args(args).start();
    started.add(child);
    return child;
  }

  @Override
  public synchronized void close() {
    started.forEach(ChildJvm::close);
  }
}

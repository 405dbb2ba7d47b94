package io.github.kafkadedup.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node KRaft Kafka broker in a separate JVM ({@code kafka.Kafka}), for tests that kill
 * the broker with SIGKILL and start it again on the same ports and log directory. Committed offsets
 * and data survive a restart.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
  private final Path dir;
  private final Path config;
  private final int port;
  private ChildJvm process;
  private int starts;

  private KafkaBrokerProcess(Path dir, Path config, int port) {
    this.dir = dir;
    this.config = config;
    this.port = port;
  }

  /** Formats a new log directory and starts a broker on free ports; waits until it answers. */
  public static KafkaBrokerProcess start() {
    try {
      // under target/, not the system temp folder: a test JVM killed with SIGKILL cannot delete it, and
      // "mvn clean" then still does
      Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "dedup-test-kafka-")
          .toAbsolutePath();
      int port = freePort();
      int controllerPort = freePort();
      Map<String, String> props = new TreeMap<>(TestKafka.brokerDefaults());
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("log.dirs", dir.resolve("logs").toString());
      props.put("broker.session.timeout.ms", "2000");
      props.put("broker.heartbeat.interval.ms", "500");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      StringBuilder text = new StringBuilder();
      props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
      Path config = dir.resolve("server.properties");
      Files.writeString(config, text);
      ChildJvm format = ChildJvm.builder("kafka.tools.StorageTool").name("kafka-format")
          .args("format", "--cluster-id=" + randomClusterId(), "--config", config.toString()).start();
      int code = format.waitFor(Readiness.BOUND);
      if (code != 0) {
        throw new InfraException("kafka storage format failed (" + code + "):\n" + format.tail());
      }
      KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, config, port);
      broker.launch();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String randomClusterId() {
    UUID uuid = UUID.randomUUID();
    byte[] bytes = java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits()).array();
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void launch() {
    starts++;
    process = ChildJvm.builder("kafka.Kafka").name("kafka-broker-" + starts)
        .jvmArgs("-Xmx768m", "-XX:+UseSerialGC")
        // its start-up steps in its output (log4j2-test.xml), so that a slow start shows how far it got
        .systemProperty("dedup.log.kafka.startup", "INFO")
        .args(config.toString()).start();
    try {
      awaitReady(Readiness.BOUND);
    } catch (InfraException e) {
      process.close(); // a broker that did not come up is not left running
      throw e;
    }
  }

  /**
   * Waits until the broker lists itself (describeCluster on its own listener), up to {@code timeout}; fails at
   * once when its JVM has ended. Either failure says what was awaited, for how long, the process's state and
   * the tail of its output (its start-up steps, see {@link #launch()}).
   */
  private void awaitReady(Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new InfraException("kafka broker process " + process.name() + " ended while awaiting its answer to "
            + "describeCluster on " + bootstrapServers() + " (after " + (System.nanoTime() - start) / 1_000_000_000
            + " s); " + process.describe() + "; last output:\n" + process.tail());
      }
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
        if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
    }
    throw new InfraException("kafka broker process " + process.name() + " did not answer describeCluster on "
        + bootstrapServers() + " within " + timeout + " (last error: " + last + "); " + process.describe()
        + "; last output:\n" + process.tail());
  }

  /** The {@code bootstrap.servers} value; stays the same across restarts. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** SIGKILL the broker. */
  public void kill() {
    process.kill();
  }

  /** Starts the broker again on the same ports and log directory; waits until it answers. */
  public void restart() {
    if (process.isAlive()) {
      process.kill();
    }
    launch();
  }

  /** The broker's log directory root. */
  public Path directory() {
    return dir;
  }

  /** Kills the broker and deletes its log directory. */
  @Override
  public void close() {
    process.close();
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // a leftover temp directory is not worth failing a test for
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}

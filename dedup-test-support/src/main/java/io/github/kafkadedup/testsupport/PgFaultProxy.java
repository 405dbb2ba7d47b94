package io.github.kafkadedup.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy in front of a PostgreSQL server that injects the faults a network between an application and
 * its database causes, for tests and benchmarks. It parses the PostgreSQL wire protocol's framing (not the
 * messages' meaning), so it can:
 *
 * <ul>
 *   <li>{@linkplain #cutAfterReplyTo cut a connection right after the server answered a chosen statement},
 *       before the client receives that answer: with {@link #cutAfterCommit} the server has committed but the
 *       client sees an I/O error ("commit outcome unknown"). The statement is matched on its text, whether it
 *       is sent as a simple {@code Query} or through the extended protocol ({@code Parse}/{@code Bind}/
 *       {@code Execute}, also when the driver has made it a named server-side prepared statement, as pgjdbc
 *       does after {@code prepareThreshold} executions; pgjdbc 42.7 sends {@code COMMIT} that way);
 *   <li>delay every message by a fixed time in each direction ({@link Options#delay}), to simulate a server
 *       further away: each message is forwarded {@code delay} after it arrived, so the delay adds to each
 *       round trip once, not once per pipelined message;
 *   <li>{@linkplain #cutAll() cut every open connection at once}.
 * </ul>
 *
 * <p>SSL and GSS encryption requests are answered "no" by the proxy itself (the traffic must stay readable),
 * so clients must not insist on encryption ({@code sslmode=require}). A test uses {@link #open} and closes the
 * proxy; a program that only wants the delay uses {@link #start}, which returns the local port.
 */
public final class PgFaultProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgFaultProxy.class);
  private static final Pattern COMMIT =
      Pattern.compile("(?is)\\s*(COMMIT|END)(\\s+(WORK|TRANSACTION))?\\s*;?\\s*");

  private final String targetHost;
  private final int targetPort;
  private final Options options;
  private final ServerSocket server;
  private final Set<PgProxyLink> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger armed = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile Predicate<String> target = text -> false;
  private volatile boolean closed;

  /**
   * The proxy's settings.
   *
   * @param delay added to every message in each direction; {@link Duration#ZERO} (the default) for none
   */
  public record Options(Duration delay) {
    /**
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public Options {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must be >= 0, but was " + delay);
      }
    }

    /** @return no delay */
    public static Options defaults() {
      return new Options(Duration.ZERO);
    }

    /**
     * @param value the delay per message and direction, e.g. 1 ms to simulate a server ~2 ms away
     * @return a copy with {@code value} as the delay
     */
    public Options withDelay(Duration value) {
      return new Options(value);
    }
  }

  private PgFaultProxy(String targetHost, int targetPort, Options options) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.options = options;
    this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("pg-fault-proxy-accept-" + server.getLocalPort()).start(this::acceptLoop);
  }

  /**
   * Starts a proxy on a free loopback port; close it when done.
   *
   * @param targetHost the PostgreSQL server's host
   * @param targetPort its port
   * @param options delay (see {@link Options})
   * @return the running proxy
   * @throws UncheckedIOException if no local port can be opened
   */
  public static PgFaultProxy open(String targetHost, int targetPort, Options options) {
    Objects.requireNonNull(targetHost, "targetHost");
    Objects.requireNonNull(options, "options");
    try {
      return new PgFaultProxy(targetHost, targetPort, options);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open a local port for the PostgreSQL fault proxy", e);
    }
  }

  /**
   * Starts a proxy in front of the server of a {@code jdbc:postgresql://host:port/...} URL.
   *
   * @param jdbcUrl the server's JDBC URL
   * @param options delay (see {@link Options})
   * @return the running proxy; {@link #jdbcUrl(String)} rewrites URLs to go through it
   * @throws IllegalArgumentException if the URL names no host and port
   */
  public static PgFaultProxy inFrontOf(String jdbcUrl, Options options) {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("jdbcUrl must name a host, but was " + jdbcUrl);
    }
    return open(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, options);
  }

  /**
   * For a program (e.g. a benchmark's main): starts a proxy that runs on daemon threads until the JVM exits.
   *
   * @param targetHost the PostgreSQL server's host
   * @param targetPort its port
   * @param options delay (see {@link Options})
   * @return the local (loopback) port to connect to instead of {@code targetPort}
   * @throws UncheckedIOException if no local port can be opened
   */
  public static int start(String targetHost, int targetPort, Options options) {
    return open(targetHost, targetPort, options).port();
  }

  /** @return the local port the proxy listens on (loopback) */
  public int port() {
    return server.getLocalPort();
  }

  /**
   * @param jdbcUrl a {@code jdbc:postgresql://host:port/db?...} URL of the proxied server
   * @return the same URL, through this proxy
   */
  public String jdbcUrl(String jdbcUrl) {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return "jdbc:postgresql://127.0.0.1:" + port() + uri.getRawPath() + query;
  }

  /**
   * Arms the proxy: the next {@code times} executions (over all connections) of a statement whose text
   * {@code statement} accepts reach the server, which executes them, but their connection is cut right
   * after the server's answer (at its {@code ReadyForQuery}) and the client receives none of that answer.
   * Replaces an earlier arming.
   *
   * @param statement tests the statement's SQL text (as sent by the client)
   * @param times how many matching executions to cut; 0 disarms
   * @throws IllegalArgumentException if {@code times} is negative
   */
  public void cutAfterReplyTo(Predicate<String> statement, int times) {
    if (times < 0) {
      throw new IllegalArgumentException("times must be >= 0, but was " + times);
    }
    target = Objects.requireNonNull(statement, "statement");
    armed.set(times);
  }

  /**
   * {@link #cutAfterReplyTo} for {@code COMMIT} (also {@code END}, {@code COMMIT WORK}): the transaction
   * commits, the client sees the connection break instead of the confirmation.
   *
   * @param times how many commits to cut
   */
  public void cutAfterCommit(int times) {
    cutAfterReplyTo(text -> COMMIT.matcher(text).matches(), times);
  }

  /** @return how many armed cuts are still to happen */
  public int armed() {
    return armed.get();
  }

  /** @return how many connections were cut after a matching statement's answer so far */
  public int cuts() {
    return cuts.get();
  }

  /** @return how many client connections the proxy accepted so far */
  public int connectionsAccepted() {
    return accepted.get();
  }

  /** Cuts every open connection at once (both sides closed); new connections are still accepted. */
  public void cutAll() {
    links.forEach(PgProxyLink::close);
  }

  /** Stops listening and cuts every open connection. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    cutAll();
  }

  /** Called by a link when a client's statement is about to reach the server: whether to cut after it. */
  boolean claimCut(String statementText) {
    if (!target.test(statementText)) {
      return false;
    }
    return armed.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  void cutDone(String statementText) {
    cuts.incrementAndGet();
    log.info("pg-fault-proxy {}: cut a connection after the server answered: {}", port(), statementText);
  }

  void removed(PgProxyLink link) {
    links.remove(link);
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("pg-fault-proxy {} stopped accepting: {}", port(), e.toString());
        }
        return;
      }
      accepted.incrementAndGet();
      try {
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(targetHost, targetPort), 10_000);
        upstream.setTcpNoDelay(true);
        client.setTcpNoDelay(true);
        PgProxyLink link = new PgProxyLink(this, client, upstream, options.delay().toNanos());
        links.add(link);
        link.start();
      } catch (IOException e) {
        log.warn("pg-fault-proxy {}: cannot reach {}:{}: {}", port(), targetHost, targetPort, e.toString());
        closeQuietly(client);
      }
    }
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already broken
    }
  }
}

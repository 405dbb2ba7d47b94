package io.github.kafkadedup.testsupport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * One client connection of {@link PgFaultProxy}: a thread per direction reads whole protocol messages and
 * forwards them (after the delay, through a writer thread, when one is set). The client side counts the
 * messages that each earn one {@code ReadyForQuery} (the startup packet, {@code Sync}, {@code Query},
 * {@code FunctionCall}); the server side counts the {@code ReadyForQuery} messages, so it knows which
 * answer belongs to a statement chosen for a cut, drops that answer and cuts at its end.
 */
final class PgProxyLink {
  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;
  private static final long NONE = Long.MIN_VALUE;

  private final PgFaultProxy proxy;
  private final Socket client;
  private final Socket server;
  private final long delayNanos;
  /** Server-side prepared statements of this connection, by name ("" is the unnamed one). */
  private final Map<String, String> statements = new HashMap<>();
  private long syncsSent;
  private String pendingCut;
  /** The number of the ReadyForQuery that ends the answer to cut, or NONE. */
  private volatile long cutAtSync = NONE;
  private volatile String cutText;
  private volatile boolean closed;
  private final java.util.List<Thread> writers = new java.util.concurrent.CopyOnWriteArrayList<>();

  PgProxyLink(PgFaultProxy proxy, Socket client, Socket server, long delayNanos) {
    this.proxy = proxy;
    this.client = client;
    this.server = server;
    this.delayNanos = delayNanos;
  }

  void start() throws IOException {
    Sender toServer = new Sender(server.getOutputStream(), "c2s");
    Sender toClient = new Sender(client.getOutputStream(), "s2c");
    String name = "pg-fault-proxy-" + proxy.port() + "-" + client.getPort();
    Thread.ofPlatform().daemon().name(name + "-c2s").start(() -> pump(() -> clientToServer(toServer)));
    Thread.ofPlatform().daemon().name(name + "-s2c").start(() -> pump(() -> serverToClient(toClient)));
  }

  private void pump(IoRunnable body) {
    try {
      body.run();
    } catch (IOException | RuntimeException e) {
      // a closed socket ends the link: both sides go
    } finally {
      close();
    }
  }

  private void clientToServer(Sender out) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
    OutputStream rawClient = client.getOutputStream();
    while (true) { // untyped packets until the startup message
      int length = in.readInt();
      byte[] body = in.readNBytes(length - 4);
      int code = body.length >= 4 ? ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8)
          | (body[3] & 0xff) : 0;
      if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
        synchronized (rawClient) {
          rawClient.write('N'); // no encryption: the proxy must read the traffic
          rawClient.flush();
        }
        continue;
      }
      syncsSent++; // the startup (or cancel) packet; a startup earns the first ReadyForQuery
      out.send(frame(null, body), in.available() == 0);
      break;
    }
    while (true) {
      byte type = in.readByte();
      int length = in.readInt();
      byte[] body = in.readNBytes(length - 4);
      inspect((char) type, body);
      out.send(frame(type, body), in.available() == 0);
    }
  }

  /** Tracks statements and sync points; arms the cut before the message that completes it is forwarded. */
  private void inspect(char type, byte[] body) {
    switch (type) {
      case 'P' -> {
        int end = indexOfZero(body, 0);
        statements.put(cString(body, 0), cString(body, end + 1));
      }
      case 'C' -> {
        if (body.length > 0 && body[0] == 'S') {
          statements.remove(cString(body, 1));
        }
      }
      case 'B' -> {
        int portalEnd = indexOfZero(body, 0);
        String text = statements.get(cString(body, portalEnd + 1));
        if (pendingCut == null && text != null && proxy.claimCut(text)) {
          pendingCut = text;
        }
      }
      case 'S' -> {
        syncsSent++;
        if (pendingCut != null) {
          cutText = pendingCut;
          cutAtSync = syncsSent;
          pendingCut = null;
        }
      }
      case 'Q' -> {
        syncsSent++;
        String text = cString(body, 0);
        if (cutAtSync == NONE && proxy.claimCut(text)) {
          cutText = text;
          cutAtSync = syncsSent;
        }
      }
      case 'F' -> syncsSent++;
      default -> {
        // other messages need no bookkeeping
      }
    }
  }

  private void serverToClient(Sender out) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(server.getInputStream()));
    long readyForQuery = 0;
    while (true) {
      byte type = in.readByte();
      int length = in.readInt();
      byte[] body = in.readNBytes(length - 4);
      boolean cutHere = readyForQuery + 1 == cutAtSync;
      if (type == 'Z') {
        readyForQuery++;
      }
      if (!cutHere) {
        out.send(frame(type, body), in.available() == 0);
      } else if (type == 'Z') {
        out.cut(); // the server has answered (and, for COMMIT, committed): the client hears nothing of it
        while (!closed) {
          LockSupport.parkNanos(1_000_000); // a delayed cut: the writer delivers what came before, then cuts
        }
        return;
      }
    }
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    PgFaultProxy.closeQuietly(client);
    PgFaultProxy.closeQuietly(server);
    writers.forEach(Thread::interrupt);
    proxy.removed(this);
  }

  private static byte[] frame(Byte type, byte[] body) {
    int header = type == null ? 4 : 5;
    byte[] out = new byte[header + body.length];
    int at = 0;
    if (type != null) {
      out[at++] = type;
    }
    int length = body.length + 4;
    out[at++] = (byte) (length >>> 24);
    out[at++] = (byte) (length >>> 16);
    out[at++] = (byte) (length >>> 8);
    out[at] = (byte) length;
    System.arraycopy(body, 0, out, header, body.length);
    return out;
  }

  private static int indexOfZero(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return bytes.length;
  }

  private static String cString(byte[] bytes, int from) {
    if (from >= bytes.length) {
      return "";
    }
    return new String(bytes, from, indexOfZero(bytes, from) - from, StandardCharsets.UTF_8);
  }

  @FunctionalInterface
  private interface IoRunnable {
    void run() throws IOException;
  }

  /**
   * Writes one direction: at once without a delay; otherwise each message {@code delayNanos} after it
   * arrived, from a writer thread, so pipelined messages are not delayed one after another.
   */
  private final class Sender {
    private static final byte[] CUT = new byte[0];
    private final OutputStream out;
    private final LinkedBlockingQueue<Timed> queue;

    Sender(OutputStream raw, String direction) {
      this.out = new BufferedOutputStream(raw, 65536);
      if (delayNanos > 0) {
        queue = new LinkedBlockingQueue<>();
        writers.add(Thread.ofPlatform().daemon().name("pg-fault-proxy-" + proxy.port() + "-" + client.getPort()
            + "-" + direction + "-writer").start(() -> pump(this::drain)));
      } else {
        queue = null;
      }
    }

    void send(byte[] message, boolean flush) throws IOException {
      if (queue != null) {
        queue.add(new Timed(System.nanoTime() + delayNanos, message));
        return;
      }
      out.write(message);
      if (flush) {
        out.flush();
      }
    }

    void cut() throws IOException {
      if (queue != null) {
        queue.add(new Timed(System.nanoTime() + delayNanos, CUT));
        return;
      }
      out.flush();
      doCut();
    }

    private void doCut() {
      proxy.cutDone(cutText);
      close();
    }

    private void drain() throws IOException {
      while (!closed) {
        Timed next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (long wait = next.due - System.nanoTime(); wait > 0; wait = next.due - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        if (next.bytes == CUT) {
          out.flush();
          doCut();
          return;
        }
        out.write(next.bytes);
        Timed following = queue.peek();
        if (following == null || following.due > System.nanoTime()) {
          out.flush();
        }
      }
    }
  }

  private record Timed(long due, byte[] bytes) {}
}

package io.github.kafkadedup.outbox.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The {@code headers} column's encoding: a 4-byte count, then per header a 4-byte name length, the UTF-8
 * name, a 4-byte value length (-1 for null) and the value. Big-endian, like Kafka's own framing.
 */
public final class HeaderCodec {
  private HeaderCodec() {}

  /** {@code headers} in this encoding. */
  public static byte[] encode(Iterable<? extends Header> headers) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      int count = 0;
      for (Header ignored : headers) {
        count++;
      }
      out.writeInt(count);
      for (Header h : headers) {
        byte[] name = h.key().getBytes(StandardCharsets.UTF_8);
        out.writeInt(name.length);
        out.write(name);
        byte[] value = h.value();
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
          out.write(value);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return bytes.toByteArray();
  }

  /** The headers {@link #encode} encoded into {@code encoded}. */
  public static Headers decode(byte[] encoded) {
    ByteBuffer in = ByteBuffer.wrap(encoded);
    int count = in.getInt();
    RecordHeaders headers = new RecordHeaders();
    for (int i = 0; i < count; i++) {
      byte[] name = new byte[in.getInt()];
      in.get(name);
      int length = in.getInt();
      byte[] value = null;
      if (length >= 0) {
        value = new byte[length];
        in.get(value);
      }
      headers.add(new String(name, StandardCharsets.UTF_8), value);
    }
    return headers;
  }
}

package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DeadLetter} as the command prints it: an ordered map (the JSON form, and the source of the text
 * form), and its bytes as text when they are printable UTF-8, else as hexadecimal or base64.
 */
final class DeadLetterText {
  private DeadLetterText() {}

  /** The row without its bytes, as {@code list} and {@code show} print it. */
  static Map<String, @Nullable Object> describe(DeadLetter d) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("createdAt", Subcommand.seconds(d.createdAt()));
    m.put("state", d.state().column());
    m.put("reason", d.reason().column());
    m.put("scope", d.scope());
    m.put("key", d.key());
    m.put("keyId", d.keyId() == null ? null : d.keyId().toString());
    m.put("recordKey", d.recordKey());
    m.put("sequenceKey", d.sequenceKey());
    m.put("group", d.fingerprint());
    m.put("source", d.source());
    m.put("sourceTopic", d.sourceTopic());
    m.put("sourcePartition", d.sourcePartition());
    m.put("sourceOffset", d.sourceOffset());
    m.put("recordTimestamp", d.recordTimestamp());
    m.put("keySize", d.keySize());
    m.put("valueSize", d.valueSize());
    m.put("exceptionClass", d.exceptionClass());
    m.put("exceptionMessage", d.exceptionMessage());
    m.put("dltTopic", d.dltTopic());
    m.put("publishedAt", Subcommand.seconds(d.publishedAt()));
    m.put("attempts", d.attempts());
    m.put("lastError", d.lastError());
    DeadLetter.Action a = d.lastAction();
    if (a != null) {
      Map<String, @Nullable Object> action = new LinkedHashMap<>();
      action.put("at", Subcommand.seconds(a.at()));
      action.put("dbUser", a.dbUser());
      action.put("operator", a.operator());
      action.put("reason", a.reason());
      m.put("lastAction", action);
    } else {
      m.put("lastAction", null);
    }
    return m;
  }

  /** The row with its key, value, headers (each rendered by {@link #bytes}) and stack trace. */
  static Map<String, @Nullable Object> describeWithPayload(DeadLetter d, boolean hex) {
    Map<String, @Nullable Object> m = describe(d);
    DeadLetter.Payload p = d.payload();
    if (p == null) {
      return m;
    }
    List<Map<String, @Nullable Object>> headers = new ArrayList<>();
    for (Header h : p.headers()) {
      Map<String, @Nullable Object> header = new LinkedHashMap<>();
      header.put("name", h.key());
      header.putAll(bytes(h.value(), hex));
      headers.add(header);
    }
    m.put("headers", headers);
    m.put("recordKey", p.key() == null ? null : bytes(p.key(), hex));
    m.put("recordValue", p.value() == null ? null : bytes(p.value(), hex));
    m.put("stackTrace", p.stackTrace());
    return m;
  }

  /**
   * {@code size}, {@code encoding} ({@code text}, {@code hex} or {@code base64}) and {@code data}: the bytes as
   * text if they are valid UTF-8 without control characters (tab and line breaks allowed), else in hexadecimal
   * ({@code hex}) or base64.
   */
  static Map<String, @Nullable Object> bytes(byte @Nullable [] value, boolean hex) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    if (value == null) {
      m.put("size", -1);
      m.put("encoding", "null");
      m.put("data", null);
      return m;
    }
    m.put("size", value.length);
    String text = printable(value);
    if (text != null) {
      m.put("encoding", "text");
      m.put("data", text);
    } else if (hex) {
      m.put("encoding", "hex");
      m.put("data", HexFormat.of().formatHex(value));
    } else {
      m.put("encoding", "base64");
      m.put("data", Base64.getEncoder().encodeToString(value));
    }
    return m;
  }

  /** The bytes as a string if they are UTF-8 text a terminal can show, else null. */
  static @Nullable String printable(byte[] value) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if ((Character.isISOControl(ch) && ch != '\n' && ch != '\r' && ch != '\t') || ch == '\u2028'
          || ch == '\u2029' || Character.getType(ch) == Character.FORMAT) {
        return null;
      }
    }
    return text;
  }

  /** "Class: message" of the failure, or "-". */
  static String error(DeadLetter d) {
    if (d.exceptionClass() == null) {
      return d.exceptionMessage() == null ? "-" : d.exceptionMessage();
    }
    String simple = d.exceptionClass().substring(d.exceptionClass().lastIndexOf('.') + 1);
    return d.exceptionMessage() == null ? simple : simple + ": " + d.exceptionMessage();
  }

  /** At most {@code max} characters on one line, "..." marking a cut. */
  static @Nullable String shorten(@Nullable String s, int max) {
    if (s == null) {
      return null;
    }
    String line = s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    return line.length() <= max ? line : line.substring(0, max - 3) + "...";
  }
}

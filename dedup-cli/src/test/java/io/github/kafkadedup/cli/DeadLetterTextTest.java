package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How {@code dead-letters show} renders bytes: printable UTF-8 as text, anything else as base64 or hex. */
class DeadLetterTextTest {
  @Test
  void printableUtf8IsText() {
    assertThat(DeadLetterText.bytes("{\"amount\":\"12,50\"}\n\tzürich €".getBytes(StandardCharsets.UTF_8), false))
        .containsEntry("encoding", "text").containsEntry("data", "{\"amount\":\"12,50\"}\n\tzürich €")
        .containsEntry("size", 31);
  }

  @Test
  void invalidUtf8AndControlCharactersAreBase64OrHex() {
    byte[] serialized = {(byte) 0xac, (byte) 0xed, 0, 5};
    assertThat(DeadLetterText.bytes(serialized, false)).containsEntry("encoding", "base64")
        .containsEntry("data", "rO0ABQ==").containsEntry("size", 4);
    assertThat(DeadLetterText.bytes(serialized, true)).containsEntry("encoding", "hex").containsEntry("data", "aced0005");
    assertThat(DeadLetterText.printable("a\u0000b".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(DeadLetterText.printable("\u001b[31mred".getBytes(StandardCharsets.UTF_8))).as("terminal escapes").isNull();
    assertThat(DeadLetterText.printable("rtl\u202eoverride".getBytes(StandardCharsets.UTF_8))).isNull();
  }

  @Test
  void nullIsNotEmpty() {
    assertThat(DeadLetterText.bytes(null, false)).containsEntry("encoding", "null").containsEntry("size", -1);
    assertThat(DeadLetterText.bytes(new byte[0], false)).containsEntry("encoding", "text").containsEntry("data", "")
        .containsEntry("size", 0);
  }

  @Test
  void shortenKeepsOneLine() {
    assertThat(DeadLetterText.shorten("line one\nline two", 40)).isEqualTo("line one line two");
    assertThat(DeadLetterText.shorten("x".repeat(50), 10)).isEqualTo("xxxxxxx...");
    assertThat(DeadLetterText.shorten(null, 10)).isNull();
  }
}

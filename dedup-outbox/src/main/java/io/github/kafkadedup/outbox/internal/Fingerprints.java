package io.github.kafkadedup.outbox.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The failure group of a dead letter: a short hash of its scope, source topic, reason, exception class and
 * exception message with what varies from record to record masked (UUIDs, long hex runs, numbers), so the
 * dead letters of one cause share one fingerprint.
 */
public final class Fingerprints {
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern HEX = Pattern.compile("\\b(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}\\b");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  /** Only this much of a message counts (a long message differs further on in what it quotes). */
  private static final int MAX_MESSAGE = 500;

  private Fingerprints() {}

  /**
   * The message with its variable parts masked: UUIDs as {@code <uuid>}, hex runs of 8 or more characters
   * holding a digit as {@code <hex>}, digit runs as {@code <n>}.
   *
   * @param message an exception message, or null
   * @return the masked message ({@code ""} for null), at most 500 characters of it considered
   */
  public static String mask(@Nullable String message) {
    if (message == null) {
      return "";
    }
    String m = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    m = UUID.matcher(m).replaceAll("<uuid>");
    m = HEX.matcher(m).replaceAll("<hex>");
    return NUMBER.matcher(m).replaceAll("<n>");
  }

  /**
   * The fingerprint: 16 hex characters of SHA-256 over the parts.
   *
   * @return the fingerprint
   */
  public static String of(@Nullable String scope, String topic, String reason, @Nullable String exceptionClass,
      @Nullable String message) {
    String text = String.join("\u0000", String.valueOf(scope), topic, reason, String.valueOf(exceptionClass),
        mask(message));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

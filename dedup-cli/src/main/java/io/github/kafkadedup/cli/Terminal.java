package io.github.kafkadedup.cli;

import java.io.Console;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the output goes to: its width in columns (0: unknown, no limit) and whether states are coloured.
 * Colour only on a terminal, never with {@code NO_COLOR} set (https://no-color.org) or {@code TERM=dumb};
 * {@code CLICOLOR_FORCE=1} forces it (for a pager that shows colours). The width comes from {@code COLUMNS}
 * (the launcher exports the terminal's), never from a child process.
 */
record Terminal(int columns, boolean colour) {
  static final int DEFAULT_HELP_WIDTH = 100;
  private static final String RESET = "\u001b[0m";

  /** No width limit, no colour: what a pipe or a test gets. */
  static final Terminal PLAIN = new Terminal(0, false);

  /** The terminal of the command running on this thread (set by {@link KafkaDedupCli#run}). */
  private static final ThreadLocal<Terminal> CURRENT = ThreadLocal.withInitial(() -> PLAIN);

  static Terminal current() {
    return CURRENT.get();
  }

  static void setCurrent(@Nullable Terminal terminal) {
    if (terminal == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(terminal);
    }
  }

  static Terminal of(Map<String, String> env) {
    boolean tty = stdoutIsTerminal();
    int columns = parse(env.get("COLUMNS"));
    boolean colour = !set(env.get("NO_COLOR")) && !"dumb".equals(env.get("TERM"))
        && (tty || (set(env.get("CLICOLOR_FORCE")) && !"0".equals(env.get("CLICOLOR_FORCE"))));
    return new Terminal(columns, colour);
  }

  /** The width for picocli's help: the terminal's, between 60 and 200; 100 when it is unknown. */
  int helpWidth() {
    return columns == 0 ? DEFAULT_HELP_WIDTH : Math.max(60, Math.min(200, columns));
  }

  /** {@code text} in the colour of the state it names (OK green, LAGGING yellow, STUCK red, ...), else as is. */
  String paint(String text) {
    if (!colour) {
      return text;
    }
    String code = switch (text.strip()) {
      case "OK", "FOUND", "processed", "published", "replayed", "running" -> "32";
      case "LAGGING", "NOT CLAIMED", "pending", "silent", "dead-lettered", "held" -> "33";
      case "STUCK", "NO CONSUMERS", "NOT FOUND", "failed" -> "31;1";
      case "UNKNOWN", "stopped", "discarded" -> "2";
      default -> null;
    };
    return code == null ? text : "\u001b[" + code + "m" + text + RESET;
  }

  private static boolean stdoutIsTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try { // JDK 22+: a Console exists even when redirected; isTerminal() tells (absent on 21: a terminal)
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  private static boolean set(@Nullable String value) {
    return value != null && !value.isEmpty();
  }

  private static int parse(@Nullable String value) {
    try {
      return value == null ? 0 : Math.max(0, Integer.parseInt(value.strip()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}

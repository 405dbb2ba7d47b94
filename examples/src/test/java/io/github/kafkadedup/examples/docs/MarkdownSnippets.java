package io.github.kafkadedup.examples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the fenced {@code java} blocks of Markdown files and the marker comment before each.
 *
 * <p>A block is compiled as method statements unless the nearest non-blank line above its fence is a
 * marker such as {@code <!-- snippet: members given="JdbcTemplate jdbc" -->}. Marker words:
 * {@code statements} (default), {@code members}, {@code file}, {@code skip reason="..."} (a deliberately
 * partial block: excluded, and the reason is mandatory), {@code own-imports} (no default imports: the
 * block's own imports must suffice), {@code given="Type a; Type b"} (names the surrounding text assumes;
 * an entry may also declare a small type: {@code given="interface Orders { void apply(); }; Orders orders"}).
 * A malformed or orphaned marker is an error, so a block is never excluded by accident.
 */
final class MarkdownSnippets {
  private static final Pattern OPEN = Pattern.compile("^(\\s*)```\\s*java\\s*$");
  private static final Pattern CLOSE = Pattern.compile("^\\s*```\\s*$");
  private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*snippet:(.*?)-->\\s*$");
  private static final Pattern MARKER_START = Pattern.compile("^\\s*<!--\\s*snippet\\b.*");
  private static final Pattern QUOTED = Pattern.compile("(given|reason)=\"([^\"]*)\"");

  private MarkdownSnippets() {}

  /** The blocks of one file; {@code shownAs} is the name used in messages. */
  static List<Snippet> read(Path markdown, String shownAs) {
    try {
      return parse(Files.readAllLines(markdown), shownAs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The blocks of Markdown text given as lines. */
  static List<Snippet> parse(List<String> text, String shownAs) {
    List<Snippet> snippets = new ArrayList<>();
    String pendingMarker = null;
    int markerLine = 0;
    for (int i = 0; i < text.size(); i++) {
      String line = text.get(i);
      Matcher open = OPEN.matcher(line);
      if (open.matches()) {
        int end = closingFence(text, i, shownAs);
        List<String> body = unindent(text.subList(i + 1, end), open.group(1).length());
        snippets.add(snippet(shownAs, i + 1, pendingMarker, markerLine, body));
        pendingMarker = null;
        i = end;
      } else if (MARKER_START.matcher(line).matches()) {
        Matcher marker = MARKER.matcher(line);
        if (!marker.matches()) {
          throw new IllegalArgumentException(shownAs + ":" + (i + 1) + ": a snippet marker must be one line "
              + "<!-- snippet: ... -->, but was: " + line.strip());
        }
        pendingMarker = marker.group(1);
        markerLine = i + 1;
      } else if (!line.isBlank() && pendingMarker != null) {
        throw new IllegalArgumentException(shownAs + ":" + markerLine
            + ": a snippet marker must stand right before a ```java block");
      }
    }
    if (pendingMarker != null) {
      throw new IllegalArgumentException(shownAs + ":" + markerLine + ": a snippet marker without a ```java block");
    }
    return snippets;
  }

  private static int closingFence(List<String> text, int open, String shownAs) {
    for (int j = open + 1; j < text.size(); j++) {
      if (CLOSE.matcher(text.get(j)).matches()) {
        return j;
      }
    }
    throw new IllegalArgumentException(shownAs + ":" + (open + 1) + ": a ```java block is never closed");
  }

  /** "A a; interface B { void f(); }; B b" into its three declarations: splits on ';' outside braces. */
  static List<String> splitDeclarations(String given) {
    List<String> declarations = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int depth = 0;
    for (char c : given.toCharArray()) {
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (c == ';' && depth == 0) {
        declarations.add(current.toString().strip());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    declarations.add(current.toString().strip());
    declarations.removeIf(String::isEmpty);
    return List.copyOf(declarations);
  }

  private static List<String> unindent(List<String> body, int indent) {
    return body.stream()
        .map(l -> l.length() >= indent && l.substring(0, indent).isBlank() ? l.substring(indent) : l.stripLeading())
        .toList();
  }

  private static Snippet snippet(String file, int fenceLine, String marker, int markerLine, List<String> body) {
    if (marker == null) {
      return new Snippet(file, fenceLine, Snippet.Kind.STATEMENTS, List.of(), false, "", body);
    }
    String where = file + ":" + markerLine;
    String given = "";
    String reason = "";
    Matcher quoted = QUOTED.matcher(marker);
    while (quoted.find()) {
      if (quoted.group(1).equals("given")) {
        given = quoted.group(2);
      } else {
        reason = quoted.group(2).strip();
      }
    }
    Snippet.Kind kind = Snippet.Kind.STATEMENTS;
    boolean ownImports = false;
    for (String word : quoted.replaceAll(" ").strip().split("\\s+")) {
      switch (word) {
        case "" -> { }
        case "statements" -> kind = Snippet.Kind.STATEMENTS;
        case "members" -> kind = Snippet.Kind.MEMBERS;
        case "file" -> kind = Snippet.Kind.FILE;
        case "skip" -> kind = Snippet.Kind.SKIP;
        case "own-imports" -> ownImports = true;
        default -> throw new IllegalArgumentException(where + ": unknown snippet marker word '" + word
            + "' (known: statements, members, file, skip, own-imports, given=\"...\", reason=\"...\")");
      }
    }
    if (kind == Snippet.Kind.SKIP && reason.isEmpty()) {
      throw new IllegalArgumentException(where + ": a skipped snippet needs reason=\"why it cannot compile\"");
    }
    if (kind != Snippet.Kind.SKIP && !reason.isEmpty()) {
      throw new IllegalArgumentException(where + ": reason=\"...\" only goes with skip");
    }
    List<String> givenList = splitDeclarations(given);
    return new Snippet(file, fenceLine, kind, givenList, ownImports, reason, body);
  }
}

package io.github.kafkadedup.examples.docs;

import java.util.List;

/**
 * One fenced {@code java} block of a Markdown file, with the wrapper its marker asks for.
 *
 * @param file the Markdown file, as shown in messages (relative to the repository root)
 * @param fenceLine the 1-based line of the opening fence
 * @param kind how the block is wrapped into a compilation unit
 * @param given declarations ({@code Type name}) the block may use without declaring them
 * @param ownImports true: only the block's own imports (checks that a copy-pasted block has all it needs)
 * @param skipReason why a deliberately partial block is not compiled; empty for compiled blocks
 * @param lines the block's lines, without the fences and the fence's indentation
 */
record Snippet(
    String file, int fenceLine, Kind kind, List<String> given, boolean ownImports, String skipReason,
    List<String> lines) {

  /** How a block becomes Java source. */
  enum Kind {
    /** Statements: the body of a method (the default). */
    STATEMENTS,
    /** Fields, methods or nested classes: the body of a class. */
    MEMBERS,
    /** A whole compilation unit (imports and top-level types). */
    FILE,
    /** Deliberately partial; not compiled, and a reason is required. */
    SKIP
  }

  /** The Markdown line of the block's {@code index}-th line (0-based). */
  int markdownLine(int index) {
    return fenceLine + 1 + index;
  }

  /** "README.md:46" for messages. */
  String where() {
    return file + ":" + fenceLine;
  }
}

package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with upper-case headers and columns padded to their widest cell, as kafka-consumer-groups.sh
 * prints. On a terminal of known width ({@link Terminal#current()}) the widest columns are cut to fit, their
 * cells ending in "~"; states are coloured where the terminal allows.
 */
final class TextTable {
  private static final int GAP = 2;
  private static final int MIN_WIDTH = 8;
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  TextTable row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("a row of " + headers + " needs " + headers.size() + " cells, but had "
          + cells.length);
    }
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(cell == null ? "-" : cell.toString());
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintWriter out) {
    Terminal terminal = Terminal.current();
    int[] width = fit(widths(), terminal.columns());
    line(out, headers, width, Terminal.PLAIN);
    for (List<String> row : rows) {
      line(out, row, width, terminal);
    }
  }

  private int[] widths() {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    return width;
  }

  /** Narrows the widest column, one character at a time, until the line fits {@code columns} (0: no limit). */
  static int[] fit(int[] width, int columns) {
    int total = GAP * (width.length - 1);
    for (int w : width) {
      total += w;
    }
    while (columns > 0 && total > columns) {
      int widest = 0;
      for (int i = 1; i < width.length; i++) {
        if (width[i] > width[widest]) {
          widest = i;
        }
      }
      if (width[widest] <= MIN_WIDTH) {
        break; // nothing left to cut: the terminal wraps
      }
      width[widest]--;
      total--;
    }
    return width;
  }

  private static void line(PrintWriter out, List<String> cells, int[] width, Terminal terminal) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      if (cell.length() > width[i]) {
        cell = cell.substring(0, width[i] - 1) + "~";
      }
      String padding = i < cells.size() - 1 ? " ".repeat(width[i] - cell.length() + GAP) : "";
      b.append(terminal.paint(cell)).append(padding);
    }
    out.println(b.toString().stripTrailing());
  }
}

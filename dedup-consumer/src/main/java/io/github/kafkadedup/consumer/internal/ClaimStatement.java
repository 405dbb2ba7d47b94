package io.github.kafkadedup.consumer.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement of the claim path and its parameters by name, in placeholder order. {@link ClaimSql} writes each
 * parameter into the text as <code>{NAME}</code> (a {@link Param}); {@link #of} turns every one into pgjdbc's
 * {@code ?} and remembers the order, and {@link #bind} sets the values in that order, so the text and the
 * binding cannot disagree about which {@code ?} is which.
 *
 * @param text the SQL sent to PostgreSQL, with {@code ?} placeholders
 * @param params the parameter of each {@code ?}, in order (one may occur several times)
 */
public record ClaimStatement(String text, List<Param> params) {
  private static final Pattern NAMED = Pattern.compile("\\{([A-Z_]+)}");

  /** The parameters of the claim path's statements. */
  public enum Param {
    /** The scope's id in the scope table ({@code int4}). */
    SCOPE_ID,
    /** The scope's text (V1's {@code processed_messages} is keyed by it). */
    SCOPE,
    /** The claim's status: {@code P} processed, {@code D} dead-lettered. */
    STATUS,
    /** A batch's key ids ({@code uuid[]}, distinct). */
    KEY_IDS,
    /** The partition of each of {@link #KEY_IDS} ({@code int4[]}, aligned). */
    PARTITIONS,
    /** The offset of each of {@link #KEY_IDS} ({@code int8[]}, aligned). */
    OFFSETS,
    /** The text key of each of {@link #KEY_IDS} ({@code text[]}, aligned; V1's table is keyed by it). */
    KEY_TEXTS,
    /** One key's id ({@code uuid}). */
    KEY_ID,
    /** One record's partition ({@code int4}). */
    PARTITION,
    /** One record's offset ({@code int8}). */
    OFFSET
  }

  /** Copies {@code params}. */
  public ClaimStatement {
    params = List.copyOf(params);
  }

  /**
   * The statement of a text with named parameters.
   *
   * @param named SQL with each parameter written as <code>{NAME}</code>, a {@link Param}'s name
   * @return the statement: the text with {@code ?} in place of each name, and the names in order
   * @throws IllegalArgumentException if a name is not a {@link Param}
   */
  public static ClaimStatement of(String named) {
    List<Param> params = new ArrayList<>();
    Matcher m = NAMED.matcher(named);
    StringBuilder text = new StringBuilder(named.length());
    while (m.find()) {
      params.add(Param.valueOf(m.group(1)));
      m.appendReplacement(text, "?");
    }
    m.appendTail(text);
    return new ClaimStatement(text.toString(), params);
  }

  /**
   * Sets every parameter of {@code ps} (prepared from {@link #text}) in placeholder order: an {@code Integer} as
   * {@code int4}, a {@code Long} as {@code int8}, a {@code String} as text, anything else (arrays, a UUID) as
   * pgjdbc maps it.
   *
   * @param ps the prepared statement
   * @param values a value for every parameter the statement names
   * @throws SQLException if the driver refuses a value
   * @throws IllegalArgumentException if a parameter has no value
   */
  public void bind(PreparedStatement ps, Map<Param, ?> values) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Param param = params.get(i);
      Object value = values.get(param);
      switch (value) {
        case null -> throw new IllegalArgumentException("no value for " + param + " (parameter " + (i + 1)
            + " of " + params + ")");
        case Integer v -> ps.setInt(i + 1, v);
        case Long v -> ps.setLong(i + 1, v);
        case String v -> ps.setString(i + 1, v);
        default -> ps.setObject(i + 1, value);
      }
    }
  }
}

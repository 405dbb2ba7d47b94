package io.github.kafkadedup.cli;

import io.github.kafkadedup.migrations.DedupKeys;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** {@code --scope} and either {@code --key} (mapped with {@link DedupKeys}) or {@code --key-id} (the stored id). */
final class KeyOptions {
  @Option(names = "--scope", required = true, paramLabel = "SCOPE",
      description = "the scope: the consumer group id or the name set with DedupConfig.scope")
  String scope = "";

  @ArgGroup(exclusive = true, multiplicity = "1")
  Key key = new Key();

  /** Exactly one of the two. */
  static final class Key {
    @Option(names = "--key", paramLabel = "KEY", description = "the dedup key as the consumer saw it (text)")
    @Nullable String text;

    @Option(names = "--key-id", paramLabel = "UUID", description = "the stored key id (claims.key_id)")
    @Nullable String id;
  }

  /** The key as typed, or null if only the id was given. */
  @Nullable String text() {
    return key.text;
  }

  /** The stored id: {@link DedupKeys#id} of the key, or the parsed {@code --key-id}. */
  UUID id() {
    if (key.text != null) {
      return DedupKeys.id(key.text);
    }
    try {
      return UUID.fromString(String.valueOf(key.id));
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage("--key-id must be a UUID (8-4-4-4-12 hexadecimal digits), but was '" + key.id + "'");
    }
  }

  /** How to name the key in messages. */
  String describe() {
    return key.text != null ? "key '" + key.text + "' (id " + id() + ")" : "key id " + id();
  }
}

package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kafka-dedup dead-letters replay (ID... | filters) --reason "..."}: runs each record through its consumer
 * again, exactly once ({@code DeadLetters.replayAll}: each key's D claim removed, the original record put back on
 * its topic through the outbox, the row marked replayed, all in one transaction, audited). The head of a parked
 * sequence replays the sequence. Before publishing, names the other consumer groups that read the topics (with
 * {@code --bootstrap-servers}). Needs the owner role.
 */
@Command(name = "replay", sortOptions = false,
    description = {"Put dead letters back on their source topic so their consumer handles them again, exactly once: "
        + "in one transaction (all or nothing) each key's D claim is removed, the original record goes to the "
        + "outbox (the relay publishes it) and the row is marked replayed; each row is recorded in the audit table. "
        + "The head of a parked sequence replays its sequence in order. Needs the owner role.",
        "A key is replayed once: its other dead letters become superseded; a dead letter whose key has been applied "
            + "since (its claim is P) is superseded, never replayed (a P claim is never removed). --dry-run runs the "
            + "same transaction and rolls it back.",
        "Select by ids, or by filters (--dry-run first, then --yes). Every consumer group reading the source topic "
            + "gets the record again: with --bootstrap-servers the command names them first.",
        "Fix the cause first (the handler, the data): a replay of a record that still fails is dead-lettered again."})
final class DeadLetterReplayCommand extends DeadLetterActionCommand {
  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Kafka, to name the other consumer groups that read the source topics (env DEDUP_KAFKA_BOOTSTRAP)")
  @Nullable String bootstrapServers;

  @Option(names = "--kafka-timeout", paramLabel = "SECONDS", defaultValue = "15",
      description = "how long to wait for Kafka (default ${DEFAULT-VALUE})")
  int kafkaTimeoutSeconds = 15;

  @Override
  String action() {
    return "replay";
  }

  @Override
  String effect(DeadLetter d, boolean done) {
    if (d.state() == DeadLetters.State.SUPERSEDED) {
      return d.source() + ": key '" + d.key() + "' in scope '" + d.scope() + "' has been applied since, or replayed "
          + "through another of its dead letters: nothing " + (done ? "was" : "would be") + " sent, no claim touched";
    }
    String key = d.key() == null ? "no key, so no claim to remove" : "the D claim of key '" + d.key()
        + "' in scope '" + d.scope() + "' " + (done ? "was" : "would be") + " removed";
    return d.source() + ": " + key + "; the original record " + (done ? "went" : "would go") + " to the outbox for "
        + "topic " + d.sourceTopic() + (done ? " (the outbox relay publishes it)" : "");
  }

  @Override
  String outcome(DeadLetter after, boolean dry) {
    boolean superseded = after.state() == DeadLetters.State.SUPERSEDED;
    return dry ? (superseded ? "would-supersede" : "would-replay") : superseded ? "superseded" : "replayed";
  }

  @Override
  boolean dryRunsTheTransaction() {
    return true;
  }

  @Override
  void beforeActing(List<DeadLetter> selected, List<String> notes) {
    Set<String> topics = new TreeSet<>();
    Set<String> scopes = new TreeSet<>();
    selected.forEach(d -> {
      topics.add(d.sourceTopic());
      if (d.scope() != null) {
        scopes.add(d.scope());
      }
    });
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      notes.add("every consumer group reading " + String.join(", ", topics) + " gets the replayed records, not only "
          + String.join(", ", scopes) + ": give --bootstrap-servers to see which groups read them");
      return;
    }
    try {
      Map<String, Set<String>> readers = TopicReaders.of(bootstrapServers, topics, kafkaTimeoutSeconds);
      readers.forEach((topic, groups) -> {
        Set<String> others = new TreeSet<>(groups);
        others.removeAll(scopes);
        String line = others.isEmpty() ? "no other consumer group reads " + topic
            : "other consumer groups reading " + topic + " get the replayed records too: " + String.join(", ", others);
        if (json) {
          notes.add(line);
        } else {
          out().println(line); // said before anything is published
        }
      });
    } catch (Exception e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      notes.add("could not ask Kafka at " + bootstrapServers + " which groups read " + String.join(", ", topics)
          + " (" + Objects.toString(why) + ")");
    }
  }

  @Override
  void requireRights(Tables t) {
    String command = "dead-letters replay";
    t.require(command, "SELECT", t.deadLetters(), t.claims(), t.scopes(), t.outbox());
    t.require(command, "UPDATE", t.deadLetters());
    t.require(command, "DELETE", t.claims(), t.outbox());
    t.require(command, "INSERT", t.outbox(), t.audit());
  }
}

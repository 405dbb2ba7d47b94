package io.github.kafkadedup.cli;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kafka-dedup status}: a verdict per scope (OK, LAGGING, STUCK, NO CONSUMERS) from the lag, the group's
 * members and the consumers' heartbeats; the lag per partition of the groups (offsets committed to Kafka) and of
 * the offsets stored in PostgreSQL; the consumers' last activity; the generations, claims per scope and
 * generation, dead letters, the outbox backlog with its oldest age and the schema version. Needs only SELECT
 * (the runtime role's rights).
 */
@Command(name = "status", sortOptions = false,
    description = "Is it stuck? A verdict per scope (OK, LAGGING, STUCK, NO CONSUMERS) from lag, group members "
        + "and heartbeats; lag per partition, consumers' last activity, claims, dead letters, outbox backlog, "
        + "schema version. Works with the runtime role.")
final class StatusCommand extends Subcommand {
  /** An outbox row older than this with no relay taking it: a relay polls every few hundred milliseconds. */
  static final long RELAY_SILENT_SECONDS = 60;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Kafka: lag, members and hosts of the groups (env DEDUP_KAFKA_BOOTSTRAP)")
  @Nullable String bootstrapServers;

  @Option(names = "--kafka-timeout", paramLabel = "SECONDS", defaultValue = "15",
      description = "how long to wait for Kafka's answer (default ${DEFAULT-VALUE})")
  int kafkaTimeoutSeconds = 15;

  @Option(names = "--lag-threshold", paramLabel = "RECORDS", defaultValue = "1000",
      description = "LAGGING above this lag per scope (default ${DEFAULT-VALUE})")
  long lagThreshold = 1000;

  @Option(names = "--stuck-after", paramLabel = "SECONDS", defaultValue = "300",
      description = "STUCK when records wait and no batch completed for this long (default ${DEFAULT-VALUE})")
  long stuckAfterSeconds = 300;

  @Override
  int run(Tables t) throws SQLException {
    t.requireClaimTables();
    t.require("status", "SELECT", t.claims(), t.scopes(), t.generations());
    if (lagThreshold < 0 || stuckAfterSeconds < 1) {
      throw CliFailure.usage("--lag-threshold must be >= 0 and --stuck-after >= 1, but were " + lagThreshold
          + " and " + stuckAfterSeconds);
    }
    List<String> notes = new ArrayList<>();
    Tables.Version version = t.version();
    if (version.inferred()) {
      notes.add("schema version inferred from the tables: role " + t.role() + " may not read " + t.history());
    }
    Verdicts.Thresholds thresholds = new Verdicts.Thresholds(lagThreshold, stuckAfterSeconds);
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    result.put("where", t.where());
    result.put("schema", t.schema.schema());
    result.put("prefix", t.schema.tablePrefix());
    result.put("schemaVersion", version.version());
    result.put("role", t.role());
    result.put("databaseNow", Sql.rows(t.c, "SELECT now() AS now").getFirst().get("now"));
    result.put("thresholds", thresholds.describe());
    List<Map<String, @Nullable Object>> heartbeats = StatusQueries.heartbeats(t, notes);
    List<Map<String, @Nullable Object>> offsets = StatusQueries.offsets(t, notes);
    Map<String, String> groups = StatusQueries.groupsByScope(t, heartbeats);
    KafkaView kafka = KafkaView.read(bootstrapServers, kafkaTimeoutSeconds, new TreeSet<>(groups.values()),
        StatusQueries.partitions(offsets), err());
    if (!kafka.given()) {
      notes.add("lag and members not shown: give --bootstrap-servers (or DEDUP_KAFKA_BOOTSTRAP)");
    } else if (kafka.error() != null) {
      notes.add("lag and members unknown: " + kafka.error());
    }
    List<Map<String, @Nullable Object>> partitions = GroupLag.partitions(kafka, groups);
    GroupLag.fillDatabaseLag(offsets, kafka);
    result.put("verdicts", GroupLag.verdicts(groups, kafka, partitions, offsets, heartbeats, thresholds));
    result.put("partitions", partitions);
    result.put("consumers", heartbeats);
    result.put("generations", generations(t));
    List<Map<String, @Nullable Object>> claims;
    try (Progress p = Progress.start(err(), "counting claims per scope and generation")) {
      claims = claims(t);
    }
    result.put("scopes", ScopeSummary.of(claims));
    result.put("claims", claims);
    result.put("offsets", offsets);
    result.put("deadLetters", deadLetters(t, notes));
    Set<String> setAside = setAsideTopics(t, notes);
    result.put("outbox", outbox(t, setAside, notes));
    result.put("notes", List.copyOf(notes));
    if (json) {
      printJson(result);
    } else {
      StatusText.print(this, result);
    }
    return kafka.error() != null ? ExitCodes.CONNECTION : ExitCodes.OK;
  }

  private static List<Map<String, @Nullable Object>> generations(Tables t) throws SQLException {
    return Sql.rows(t.c, "SELECT generation, CASE WHEN started_at > '-infinity' THEN started_at END AS \"startedAt\","
        + " lead(started_at) OVER (ORDER BY generation) AS \"endedAt\","
        + " generation = max(generation) OVER () AS current FROM " + t.generations() + " ORDER BY generation");
  }

  /** Claims per scope and generation; generation 0 (V1's table) while it is live. */
  private static List<Map<String, @Nullable Object>> claims(Tables t) throws SQLException {
    String v2 = "SELECT s.scope, c.generation, g.started_at AS \"generationStartedAt\","
        + " count(*) FILTER (WHERE c.status = 'P') AS processed,"
        + " count(*) FILTER (WHERE c.status = 'D') AS \"deadLettered\""
        + " FROM " + t.claims() + " c JOIN " + t.scopes() + " s ON s.scope_id = c.scope_id"
        + " LEFT JOIN " + t.generations() + " g ON g.generation = c.generation GROUP BY 1, 2, 3";
    boolean legacy = t.exists(t.legacy()) && t.may(t.legacy(), "SELECT")
        && t.queryString("SELECT 1 FROM " + t.generations() + " WHERE generation = 0", "reading generations") != null;
    String sql = !legacy ? v2 : v2 + " UNION ALL SELECT scope, 0, min(processed_at),"
        + " count(*) FILTER (WHERE status = 'P'), count(*) FILTER (WHERE status = 'D')"
        + " FROM " + t.legacy() + " GROUP BY scope";
    return Sql.rows(t.c, "SELECT * FROM (" + sql + ") AS x ORDER BY 1, 2");
  }

  /**
   * A note per outbox topic the relay set aside (migration V6): its rows wait until it can be written.
   *
   * @return the topics set aside
   */
  private static Set<String> setAsideTopics(Tables t, List<String> notes) throws SQLException {
    String table = t.schema.outboxTopicsSetAside();
    if (!t.exists(table) || !t.may(table, "SELECT")) {
      return Set.of();
    }
    Set<String> topics = new HashSet<>();
    for (Map<String, @Nullable Object> r : Sql.rows(t.c, "SELECT topic, reason, since, relay FROM " + table
        + " ORDER BY topic")) {
      topics.add(String.valueOf(r.get("topic")));
      notes.add("outbox rows for topic " + r.get("topic") + " are set aside: the topic " + r.get("reason")
          + " (since " + r.get("since") + ", relay " + r.get("relay") + "); they go out by themselves once it can "
          + "be written (create it, or grant the relay WRITE); other topics' rows are not held");
    }
    return topics;
  }

  /**
   * A note per outbox topic whose oldest row has waited longer than {@link #RELAY_SILENT_SECONDS} and is not set
   * aside: a running relay takes a row within its poll interval, so nothing is publishing them. Dead letters
   * reach their DLT through the same relay, which a Spring service runs only with
   * {@code dedup.outbox.relay.enabled=true}.
   */
  private static void waitingForARelay(List<Map<String, @Nullable Object>> backlog, Set<String> setAside,
      List<String> notes) {
    for (Map<String, @Nullable Object> r : backlog) {
      Object age = r.get("oldestAgeSeconds");
      if (age instanceof Number n && n.longValue() > RELAY_SILENT_SECONDS && !setAside.contains(r.get("topic"))) {
        notes.add("outbox rows for topic " + r.get("topic") + " have waited " + n.longValue() + " s ("
            + r.get("unpublished") + " unpublished): no relay is publishing them. Start one (Spring Boot: "
            + "dedup.outbox.relay.enabled=true; kafka-clients: OutboxRelay.builder(...).start()); dead letters "
            + "reach their DLT only through it");
      }
    }
  }

  /** Dead letters by reason and state, when the V5 table exists. */
  private static @Nullable List<Map<String, @Nullable Object>> deadLetters(Tables t, List<String> notes)
      throws SQLException {
    if (!t.exists(t.deadLetters())) {
      notes.add("no dead-letter table: " + t.deadLetters() + " does not exist (schema version 5 adds it)");
      return null;
    }
    if (!t.may(t.deadLetters(), "SELECT")) {
      notes.add("dead letters not shown: role " + t.role() + " may not read them (GRANT SELECT ON "
          + t.deadLetters() + " TO " + t.role() + ")");
      return null;
    }
    return Sql.rows(t.c, "SELECT reason, state, count(*) AS count, min(created_at) AS oldest,"
        + " max(created_at) AS newest FROM " + t.deadLetters() + " GROUP BY 1, 2 ORDER BY 1, 2");
  }

  /** The outbox backlog per topic, when the V3 outbox table exists (it is being built in parallel). */
  private static @Nullable List<Map<String, @Nullable Object>> outbox(Tables t, Set<String> setAside,
      List<String> notes) throws SQLException {
    if (!t.exists(t.outbox())) {
      notes.add("no outbox: table " + t.outbox() + " does not exist (schema version 3 adds it)");
      return null;
    }
    if (!t.may(t.outbox(), "SELECT")) {
      notes.add("outbox not shown: role " + t.role() + " may not read it (GRANT SELECT ON " + t.outbox() + " TO "
          + t.role() + ")");
      return null;
    }
    List<Map<String, @Nullable Object>> backlog = Sql.rows(t.c, "SELECT topic, count(*) AS unpublished,"
        + " min(created_at) AS \"oldestCreatedAt\","
        + " extract(epoch FROM now() - min(created_at))::bigint AS \"oldestAgeSeconds\""
        + " FROM " + t.outbox() + " GROUP BY topic ORDER BY topic");
    waitingForARelay(backlog, setAside, notes);
    return backlog;
  }
}

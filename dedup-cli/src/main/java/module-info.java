/**
 * The {@code kafka-dedup} command line: inspect claims, dead letters and the outbox, run the
 * migrations and retention. An application, not a library: it exports nothing. It runs from the
 * shaded {@code kafka-dedup.jar} on the class path (the shaded jar leaves this descriptor out), or on
 * the module path as {@code --module io.github.kafkadedup.cli/io.github.kafkadedup.cli.KafkaDedupCli}.
 */
// kafka-clients publishes no module descriptor: its name is automatic
@SuppressWarnings("requires-automatic")
module io.github.kafkadedup.cli {
  requires io.github.kafkadedup.consumer;
  requires io.github.kafkadedup.retention;
  requires io.github.kafkadedup.migrations;
  requires info.picocli;
  requires org.postgresql.jdbc;
  // PGSimpleDataSource is a javax.naming.Referenceable
  requires java.naming;
  requires kafka.clients;
  requires java.sql;
  // nullness annotations only: not needed at run time
  requires static org.jspecify;

  // picocli sets the commands' @Option and @Parameters fields, private ones included, by reflection
  opens io.github.kafkadedup.cli to
      info.picocli;
}

package io.github.kafkadedup.consumer;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.migrations.DedupMigrations;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * A fresh JVM for {@link JooqQuietIT}, so jOOQ's once-per-JVM messages are its first. Args: jdbcUrl user
 * password mode. Mode {@code dedup}: a handler writes through {@code DedupContext.dsl()} (insert with
 * ON CONFLICT, update, select); mode {@code plain-jooq}: the same jOOQ rendering without kafka-dedup, the
 * control showing what jOOQ prints by default.
 */
public final class JooqQuietMain {
  private JooqQuietMain() {}

  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[0]);
    hc.setUsername(args[1]);
    hc.setPassword(args[2]);
    hc.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS quiet_orders (id text PRIMARY KEY, body text, updates int NOT NULL DEFAULT 0)");
        System.out.println("server " + c.getMetaData().getDatabaseProductVersion());
      }
      if (args[3].equals("plain-jooq")) {
        try (Connection c = ds.getConnection()) {
          System.out.println("rows " + DSL.using(c, SQLDialect.POSTGRES).fetchCount(table("quiet_orders")));
        }
        return;
      }
      DedupMigrations.migrate(ds);
      DedupProcessor<String, String> processor = DedupProcessor.<String, String>builder(ds)
          .config(DedupConfig.builder().scope("jooq-quiet").build())
          .keyStrategy(KeyStrategy.header())
          .recordHandler((record, tx) -> {
            tx.dsl().insertInto(table("quiet_orders"), field("id"), field("body"))
                .values(record.key(), record.value()).onConflictDoNothing().execute();
            tx.dsl().update(table("quiet_orders")).set(field("updates", Integer.class), field("updates", Integer.class).plus(1))
                .where(field("id").eq(record.key())).execute();
          })
          .recoverer((record, reason) -> System.out.println("recovered " + reason))
          .build();
      List<ConsumerRecord<String, String>> batch = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ConsumerRecord<String, String> r = new ConsumerRecord<>("quiet", 0, i, "order-" + (i % 2), "body-" + i);
        r.headers().add(KeyStrategy.DEFAULT_HEADER, ("key-" + i).getBytes(StandardCharsets.UTF_8));
        batch.add(r);
      }
      BatchResult result = processor.process(batch);
      try (Connection c = ds.getConnection()) {
        int updates = DSL.using(c, SQLDialect.POSTGRES).select(DSL.sum(field("updates", Integer.class)))
            .from(table("quiet_orders")).fetchOne(0, Integer.class);
        int rows = DSL.using(c, SQLDialect.POSTGRES).select(count()).from(table("quiet_orders")).fetchOne(0, Integer.class);
        System.out.println("processed " + result.processed() + " rows " + rows + " updates " + updates);
      }
    }
  }
}

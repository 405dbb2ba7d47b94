package io.github.kafkadedup.outbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.time.Duration;

/**
 * A relay run as a child JVM by crash tests, so that they can SIGKILL it. Args: bootstrap jdbcUrl user
 * password name. Prints {@code lanes <n>} whenever the number of owned lanes changes.
 */
public final class OutboxRelayMain {
  private OutboxRelayMain() {}

  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[1]);
    hc.setUsername(args[2]);
    hc.setPassword(args[3]);
    hc.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(hc);
        OutboxRelay relay = OutboxRelay.builder(ds, IdempotentProducerConfig.builder().bootstrapServers(args[0])
                .override("linger.ms", 5).build())
            .name(args[4]).batchSize(200).pollInterval(Duration.ofMillis(500))
            .rebalanceInterval(Duration.ofMillis(300)).build().start()) {
      int last = -1;
      while (true) {
        int lanes = relay.ownedLanes().size();
        if (lanes != last) {
          System.out.println("lanes " + lanes);
          last = lanes;
        }
        Thread.sleep(50);
      }
    }
  }
}

package io.github.kafkadedup.retention;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/**
 * A child JVM for {@link RetentionJobIT}, started without micrometer-core on its class path: the retention
 * job must work when the optional dependency is absent. Args: jdbcUrl user password schema.
 */
public final class RetentionWithoutMicrometerMain {
  private RetentionWithoutMicrometerMain() {}

  public static void main(String[] args) {
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry");
      System.out.println("micrometer-core is on the class path; this check needs it absent");
      System.exit(2);
    } catch (ClassNotFoundException expected) {
      System.out.println("no micrometer-core");
    }
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[0]);
    hc.setUsername(args[1]);
    hc.setPassword(args[2]);
    hc.setMaximumPoolSize(1);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      RetentionJob.RunResult result = RetentionJob.builder(ds,
          RetentionConfig.builder().window(Duration.ofDays(10))
              .schema(io.github.kafkadedup.migrations.DedupSchema.of(args[3])).build()).build().runOnce();
      System.out.println("deleted " + result.deleted());
    }
  }
}

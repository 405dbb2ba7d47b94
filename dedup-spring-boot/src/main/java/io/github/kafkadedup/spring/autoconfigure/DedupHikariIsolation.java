package io.github.kafkadedup.spring.autoconfigure;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Gives the application's HikariCP pool an explicit transaction isolation ({@code TRANSACTION_READ_COMMITTED},
 * PostgreSQL's default, which kafka-dedup's claims are written for) when none is configured
 * ({@code spring.datasource.hikari.transaction-isolation}). Without one, HikariCP reads the default from the first
 * connection it opens; when that connection is cut at that moment, the pool keeps -1 and every later connection
 * fails ("Transaction isolation level -1 not supported"): the pool never recovers. A configured isolation is left
 * alone. Runs before the pool starts (it starts at its first connection).
 */
final class DedupHikariIsolation implements BeanPostProcessor {
  private static final Logger log = LoggerFactory.getLogger(DedupHikariIsolation.class);

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof HikariDataSource pool && pool.getTransactionIsolation() == null && !pool.isRunning()) {
      pool.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
      log.debug("kafka-dedup set transaction-isolation=TRANSACTION_READ_COMMITTED on pool {}", beanName);
    }
    return bean;
  }
}

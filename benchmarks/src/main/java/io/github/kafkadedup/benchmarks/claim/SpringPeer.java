package io.github.kafkadedup.benchmarks.claim;

import javax.sql.DataSource;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.integration.jdbc.metadata.JdbcMetadataStore;
import org.springframework.integration.metadata.ConcurrentMetadataStore;
import org.springframework.integration.selector.MetadataStoreSelector;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.messaging.Message;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * Spring Integration's idempotent receiver as its reference documentation sets it up: the PostgreSQL
 * schema script shipped in spring-integration-jdbc, a {@link JdbcMetadataStore} bean in an application
 * context with transaction management (so each {@code putIfAbsent} runs in its {@code @Transactional}
 * transaction), and a {@link MetadataStoreSelector} keyed by the message's idempotency-key header.
 */
final class SpringPeer implements AutoCloseable {
  /** The header the selector reads the key from. */
  static final String KEY_HEADER = "idempotency-key";

  private final AnnotationConfigApplicationContext context;
  private final MetadataStoreSelector selector;

  SpringPeer(DataSource dataSource) {
    new ResourceDatabasePopulator(
        new ClassPathResource("org/springframework/integration/jdbc/schema-postgresql.sql")).execute(dataSource);
    context = new AnnotationConfigApplicationContext();
    context.registerBean(DataSource.class, () -> dataSource);
    context.register(Config.class);
    context.refresh();
    ConcurrentMetadataStore store = context.getBean(ConcurrentMetadataStore.class);
    selector = new MetadataStoreSelector(
        message -> String.valueOf(message.getHeaders().get(KEY_HEADER)), store);
  }

  /** Whether the message is new (its key was stored now), as the idempotent receiver asks. */
  boolean accept(Message<?> message) {
    return selector.accept(message);
  }

  @Override
  public void close() {
    context.close();
  }

  /** The beans: a transaction manager and the metadata store (proxied for {@code @Transactional}). */
  @Configuration(proxyBeanMethods = false)
  @EnableTransactionManagement
  public static class Config {
    /** Creates the configuration (Spring instantiates it). */
    public Config() {}

    /**
     * @param dataSource the pool
     * @return the transaction manager
     */
    @Bean
    public PlatformTransactionManager transactionManager(DataSource dataSource) {
      return new DataSourceTransactionManager(dataSource);
    }

    /**
     * @param dataSource the pool
     * @return the metadata store, default table prefix {@code INT_} and region {@code DEFAULT}
     */
    @Bean
    public JdbcMetadataStore metadataStore(DataSource dataSource) {
      return new JdbcMetadataStore(dataSource);
    }
  }
}

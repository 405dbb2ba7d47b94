package io.github.kafkadedup.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.spring.DeadLetterTableRecoverer;
import io.github.kafkadedup.spring.DedupListeners;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Issue 24: a service that dead-letters to the table and runs no relay is told so at start-up. */
class DeadLetterRelayCheckTest {

  @Configuration(proxyBeanMethods = false)
  static class ErrorHandling {
    @Bean
    DeadLetterTableRecoverer recoverer(DedupListeners dedup) {
      return DeadLetterTableRecoverer.of(dedup, new StringSerializer(), new StringSerializer());
    }
  }

  @Test
  void aDeadLetterTableRecovererWithoutARelaySaysSoAtStartUp() {
    List<String> lines = new CopyOnWriteArrayList<>();
    Logger logger = (Logger) LogManager.getLogger(DedupOutboxAutoConfiguration.class);
    AbstractAppender capture = new AbstractAppender("relay-check", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
      }
    };
    capture.start();
    logger.addAppender(capture);
    try {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(DedupAutoConfiguration.class, DedupOutboxAutoConfiguration.class))
          .withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none"))
          .withUserConfiguration(ErrorHandling.class)
          .run(context -> assertThat(context).hasNotFailed());
    } finally {
      logger.removeAppender(capture);
    }
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("WARN")
        .contains("no OutboxRelay runs in this application").contains("dedup.outbox.relay.enabled=true"));
  }
}

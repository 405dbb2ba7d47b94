package io.github.kafkadedup.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the lines one logger writes ("LEVEL message"), for tests that assert how often a line appears.
 * Needs Log4j 2 as the SLF4J backend, which this module brings.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
  private final Logger logger;
  public final List<String> lines = new CopyOnWriteArrayList<>();

  public LogCapture(String loggerName) {
    super("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY);
    this.logger = (Logger) LogManager.getLogger(loggerName);
    start();
    logger.addAppender(this);
  }

  @Override
  public void append(LogEvent event) {
    lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
  }

  /** Lines at {@code level} containing {@code text}. */
  public long count(String level, String text) {
    return lines.stream().filter(l -> l.startsWith(level + " ") && l.contains(text)).count();
  }

  @Override
  public void close() {
    logger.removeAppender(this);
    stop();
  }
}

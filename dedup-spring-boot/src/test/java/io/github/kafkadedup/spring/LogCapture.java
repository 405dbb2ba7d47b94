package io.github.kafkadedup.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Collects the lines one logger writes ("LEVEL message"), for tests that assert how often a line appears. */
final class LogCapture extends AbstractAppender implements AutoCloseable {
  private final Logger logger;
  final List<String> lines = new CopyOnWriteArrayList<>();

  LogCapture(String loggerName) {
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
  long count(String level, String text) {
    return lines.stream().filter(l -> l.startsWith(level + " ") && l.contains(text)).count();
  }

  @Override
  public void close() {
    logger.removeAppender(this);
    stop();
  }
}

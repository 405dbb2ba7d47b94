package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.spring.DedupListeners;
import java.util.IdentityHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.FailedRecordProcessor;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Decorates every listener container of the application (those of {@code @KafkaListener} methods and those
 * declared as beans) before any of them starts: a lifecycle bean in a phase far below the containers' and
 * the registry's, so it runs after all containers exist and before the first one polls. Checks every
 * container factory's consumer settings on the way, and makes the error handlers retry transient database
 * failures only ({@code dedup.retry-only-transient}).
 */
final class DedupListenerInstaller implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(DedupListenerInstaller.class);
  /** Before any listener container (their default phase is {@code Integer.MAX_VALUE - 100}). */
  static final int PHASE = Integer.MIN_VALUE + 1000;

  private final DedupListeners listeners;
  private final ListableBeanFactory beans;
  private final boolean retryOnlyTransient;
  private volatile boolean running;

  DedupListenerInstaller(DedupListeners listeners, ListableBeanFactory beans, boolean retryOnlyTransient) {
    this.listeners = listeners;
    this.beans = beans;
    this.retryOnlyTransient = retryOnlyTransient;
  }

  @Override
  public void start() {
    for (AbstractKafkaListenerContainerFactory<?, ?, ?> factory
        : beans.getBeansOfType(AbstractKafkaListenerContainerFactory.class, false, false).values()) {
      DedupListeners.checkConsumerFactory(factory.getConsumerFactory());
    }
    Map<FailedRecordProcessor, Boolean> classified = new IdentityHashMap<>();
    if (retryOnlyTransient) {
      beans.getBeansOfType(CommonErrorHandler.class, false, false).values()
          .forEach(handler -> classify(handler, classified));
    }
    for (KafkaListenerEndpointRegistry registry
        : beans.getBeansOfType(KafkaListenerEndpointRegistry.class, false, false).values()) {
      for (MessageListenerContainer container : registry.getAllListenerContainers()) {
        if (container instanceof AbstractMessageListenerContainer<?, ?> c) {
          listeners.decorate(c);
          if (retryOnlyTransient) {
            classify(c.getCommonErrorHandler(), classified);
          }
        } else {
          log.info("listener container '{}' ({}) is not a consumer-group container: kafka-dedup leaves it alone",
              container.getListenerId(), container.getClass().getSimpleName());
        }
      }
    }
    running = true;
  }

  private static void classify(CommonErrorHandler handler, Map<FailedRecordProcessor, Boolean> done) {
    if (handler instanceof FailedRecordProcessor processor && done.put(processor, Boolean.TRUE) == null) {
      DedupListeners.retryOnlyTransient(processor);
    }
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}

/**
 * Spring Boot Actuator support, used only when Actuator is on the class path: the {@code kafkaDedup} health
 * indicator ({@link io.github.kafkadedup.spring.actuate.DedupHealthIndicator}) and the read-only
 * {@code kafkadedup} endpoint ({@link io.github.kafkadedup.spring.actuate.DedupEndpoint}), both reading the
 * store through {@link io.github.kafkadedup.spring.actuate.DedupStoreCheck}.
 */
@NullMarked
package io.github.kafkadedup.spring.actuate;

import org.jspecify.annotations.NullMarked;

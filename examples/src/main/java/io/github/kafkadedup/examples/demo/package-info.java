/**
 * The demo a newcomer runs first ({@code ./demo}): {@link io.github.kafkadedup.examples.demo.Demo} publishes
 * orders with re-sends, runs a consumer group of {@link io.github.kafkadedup.examples.demo.DemoConsumerMain}
 * JVMs, crashes one, and checks the tables.
 */
package io.github.kafkadedup.examples.demo;

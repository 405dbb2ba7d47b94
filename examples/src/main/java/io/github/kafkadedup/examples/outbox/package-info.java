/**
 * The outbox: an order service that requests a payment for each order, written in the same transaction as
 * the order and published by the relay only after the commit. {@link
 * io.github.kafkadedup.examples.outbox.PaymentRequests} is the plain kafka-clients version,
 * {@link io.github.kafkadedup.examples.outbox.SpringPaymentRequests} the Spring one.
 */
package io.github.kafkadedup.examples.outbox;

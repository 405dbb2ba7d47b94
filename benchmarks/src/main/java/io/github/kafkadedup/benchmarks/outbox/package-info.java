/** Outbox measurements: how fast a relay drains a backlog. */
package io.github.kafkadedup.benchmarks.outbox;

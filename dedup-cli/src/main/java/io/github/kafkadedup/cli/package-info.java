/**
 * The {@code kafka-dedup} command for the people on call: {@code status}, {@code lookup}, {@code forget},
 * {@code dead-letters list|show|replay|discard}, {@code retention plan|run} and {@code migrate} against kafka-dedup's tables. The only public type is
 * {@link io.github.kafkadedup.cli.KafkaDedupCli}, the entry point; the subcommands are package-private.
 */
@NullMarked
package io.github.kafkadedup.cli;

import org.jspecify.annotations.NullMarked;

/**
 * The WAL harness of claim storage ({@link io.github.kafkadedup.benchmarks.wal.ClaimWal}): WAL bytes,
 * throughput and server CPU per claimed key on pre-filled tables across checkpoints, and the WAL that
 * retention writes per expired key.
 */
package io.github.kafkadedup.benchmarks.wal;

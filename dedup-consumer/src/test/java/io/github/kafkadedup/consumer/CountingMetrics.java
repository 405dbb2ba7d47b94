package io.github.kafkadedup.consumer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Metrics that count, so tests can assert what the engine reported. */
final class CountingMetrics implements DedupMetrics {
  final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  long get(String name) {
    AtomicLong v = counts.get(name);
    return v == null ? 0 : v.get();
  }

  private void add(String name, long n) {
    counts.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(n);
  }

  @Override
  public void processed(String scope, int count) {
    add("processed", count);
  }

  @Override
  public void duplicates(String scope, DuplicateCause cause, int count) {
    add("duplicates." + cause, count);
  }

  @Override
  public void deadLettered(String scope, DedupException.Kind kind) {
    add("dead." + kind, 1);
  }

  @Override
  public void failure(String scope, String type) {
    add("failure." + type, 1);
  }

  @Override
  public void claim(String scope, int keys, long nanos) {
    add("claims", 1);
  }

  @Override
  public void offsetCommitFailed(String scope, String exception) {
    add("commitFailed." + exception, 1);
  }

  @Override
  public void deadLetterReduced(String scope, String reason) {
    add("reduced." + reason, 1);
  }
}

package io.github.kafkadedup.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end harness's settings, parsed from {@code --name value} arguments; every value is checked
 * and a bad one is reported with its name.
 *
 * @param records records produced to the topic and consumed by each run (default 1,000,000)
 * @param partitions partitions of the topic (default 12)
 * @param runs measured runs per mode, the median is reported (default 3)
 * @param modes the modes to run, in order (default baseline, claims, offsets, offsets-only, per-record; also
 *     outbox, direct-send, spring-alo, spring-record, spring-batch)
 * @param perRecordRecords records consumed by a per-record-transaction run, which is ~50x slower; its
 *     rate is measured on this prefix (default 30,000)
 * @param warmupRecords records consumed by one unreported warm-up run per mode (default 20,000)
 * @param consumers consumers in the group, one thread each (default 1)
 * @param maxPollRecords {@code max.poll.records}, i.e. the batch size (default 500)
 * @param rowsPerRecord business rows written per record (default 1)
 * @param prefillClaims keys already in the claim table when a run that claims keys starts (default 0: an
 *     empty table); when above 0, every run starts right after a {@code CHECKPOINT}
 * @param pgDelayMillis delay added to every PostgreSQL message in each direction by a
 *     {@code PgFaultProxy} in front of the server (default 0: no proxy); 1 puts the server ~2 ms away
 * @param uuidv7Keys whether the producer's dedup keys are the interceptor's time-ordered UUIDv7
 *     ({@code --keys uuidv7}) instead of random v4 UUIDs ({@code --keys random}, the default)
 */
record E2eOptions(int records, int partitions, int runs, List<Mode> modes, int perRecordRecords,
    int warmupRecords, int consumers, int maxPollRecords, int rowsPerRecord, long prefillClaims,
    int pgDelayMillis, boolean uuidv7Keys) {

  static E2eOptions parse(String... args) {
    int records = 1_000_000;
    int partitions = 12;
    int runs = 3;
    List<Mode> modes = Mode.DEFAULTS;
    int perRecord = 30_000;
    int warmup = 20_000;
    int consumers = 1;
    int maxPoll = 500;
    int rows = 1;
    long prefill = 0;
    int delay = 0;
    boolean uuidv7 = false;
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("arguments come in pairs (--name value), but got " + List.of(args));
    }
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i];
      String value = args[i + 1];
      switch (name) {
        case "--records" -> records = positive(name, value, 1);
        case "--partitions" -> partitions = positive(name, value, 1);
        case "--runs" -> runs = positive(name, value, 1);
        case "--modes" -> modes = modes(value);
        case "--per-record-records" -> perRecord = positive(name, value, 1);
        case "--warmup-records" -> warmup = positive(name, value, 0);
        case "--consumers" -> consumers = positive(name, value, 1);
        case "--max-poll-records" -> maxPoll = positive(name, value, 1);
        case "--rows-per-record" -> rows = positive(name, value, 1);
        case "--prefill-claims" -> prefill = positive(name, value, 0);
        case "--pg-delay-ms" -> delay = positive(name, value, 0);
        case "--keys" -> uuidv7 = switch (value) {
          case "random" -> false;
          case "uuidv7" -> true;
          default -> throw new IllegalArgumentException("--keys must be random or uuidv7, but was '" + value + "'");
        };
        default -> throw new IllegalArgumentException("unknown option " + name + "; known: --records, "
            + "--partitions, --runs, --modes, --per-record-records, --warmup-records, --consumers, "
            + "--max-poll-records, --rows-per-record, --prefill-claims, --pg-delay-ms, --keys");
      }
    }
    return new E2eOptions(records, partitions, runs, modes, Math.min(perRecord, records),
        Math.min(warmup, records), consumers, maxPoll, rows, prefill, delay, uuidv7);
  }

  /** Records a measured run of {@code mode} consumes. */
  int target(Mode mode) {
    return mode == Mode.PER_RECORD ? perRecordRecords : records;
  }

  private static int positive(String name, String value, int min) {
    int parsed;
    try {
      parsed = Integer.parseInt(value.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, but was '" + value + "'", e);
    }
    if (parsed < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", but was " + parsed);
    }
    return parsed;
  }

  private static List<Mode> modes(String value) {
    List<Mode> out = new ArrayList<>();
    for (String part : value.split(",")) {
      try {
        out.add(Mode.valueOf(part.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--modes must list baseline, claims, claims-record, sequenced, offsets, offsets-only, "
            + "per-record, replay, outbox, direct-send, spring-alo, spring-record, spring-batch, but has '" + part
            + "'", e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--modes must not be empty");
    }
    return List.copyOf(out);
  }
}

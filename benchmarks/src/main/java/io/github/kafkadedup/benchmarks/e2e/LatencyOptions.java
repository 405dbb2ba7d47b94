package io.github.kafkadedup.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * The latency harness's settings, parsed from {@code --name value} arguments; a bad value is reported with
 * its name.
 *
 * @param fractions offered rates as fractions of the baseline's measured maximum (default 0.25, 0.5, 0.9)
 * @param repeats runs of every mode at every rate, interleaved; medians and spreads are reported (default 3)
 * @param seconds measured seconds of each run (default 60)
 * @param warmupSeconds seconds of each run at the offered rate before the measurement (default 10)
 * @param calibrationRecords records the baseline consumes, from a backlog, to measure its maximum (default
 *     200,000)
 * @param maxRate the baseline's maximum records/s, given instead of measured (default 0: measure it)
 * @param csv where to write the raw figures, one line per mode, rate and repeat (default: none)
 * @param e2e the options shared with {@link EndToEnd} ({@code --modes}, {@code --partitions},
 *     {@code --consumers}, {@code --max-poll-records}, {@code --rows-per-record}, {@code --keys},
 *     {@code --prefill-claims}, {@code --pg-delay-ms}); modes default to baseline, claims, offsets-only,
 *     natural-key, spring-record, spring-batch, outbox-chain
 */
record LatencyOptions(List<Double> fractions, int repeats, int seconds, int warmupSeconds, int calibrationRecords,
    int maxRate, String csv, E2eOptions e2e) {

  static final String DEFAULT_MODES = "baseline,claims,offsets-only,natural-key,spring-record,spring-batch,"
      + "outbox-chain";

  static LatencyOptions parse(String... args) {
    List<Double> fractions = List.of(0.25, 0.5, 0.9);
    int repeats = 3;
    int seconds = 60;
    int warmup = 10;
    int calibration = 200_000;
    int maxRate = 0;
    String csv = "";
    List<String> shared = new ArrayList<>(List.of("--modes", DEFAULT_MODES, "--warmup-records", "0"));
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("arguments come in pairs (--name value), but got " + List.of(args));
    }
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i];
      String value = args[i + 1];
      switch (name) {
        case "--rates" -> fractions = fractions(value);
        case "--repeats" -> repeats = E2eOptions.positive(name, value, 1);
        case "--seconds" -> seconds = E2eOptions.positive(name, value, 1);
        case "--warmup-seconds" -> warmup = E2eOptions.positive(name, value, 0);
        case "--calibration-records" -> calibration = E2eOptions.positive(name, value, 1000);
        case "--max-rate" -> maxRate = E2eOptions.positive(name, value, 1);
        case "--csv" -> csv = value;
        case "--modes", "--partitions", "--consumers", "--max-poll-records", "--rows-per-record", "--keys",
            "--prefill-claims", "--pg-delay-ms" -> {
          shared.add(name);
          shared.add(value);
        }
        default -> throw new IllegalArgumentException("unknown option " + name + "; known: --rates, --repeats, "
            + "--seconds, --warmup-seconds, --calibration-records, --max-rate, --csv, --modes, --partitions, "
            + "--consumers, --max-poll-records, --rows-per-record, --keys, --prefill-claims, --pg-delay-ms");
      }
    }
    shared.add("--records");
    shared.add(String.valueOf(calibration));
    E2eOptions e2e = E2eOptions.parse(shared.toArray(String[]::new));
    for (Mode mode : e2e.modes()) {
      if (mode == Mode.REPLAY || mode == Mode.PER_RECORD) {
        throw new IllegalArgumentException("--modes: " + mode + " has no latency under a steady load");
      }
    }
    return new LatencyOptions(fractions, repeats, seconds, warmup, calibration, maxRate, csv, e2e);
  }

  private static List<Double> fractions(String value) {
    List<Double> out = new ArrayList<>();
    for (String part : value.split(",")) {
      double f;
      try {
        f = Double.parseDouble(part.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--rates must be fractions such as 0.25,0.5,0.9, but has '" + part + "'",
            e);
      }
      if (!(f > 0 && f <= 2)) {
        throw new IllegalArgumentException("--rates: each fraction must be in (0, 2], but was " + f);
      }
      out.add(f);
    }
    return List.copyOf(out);
  }
}

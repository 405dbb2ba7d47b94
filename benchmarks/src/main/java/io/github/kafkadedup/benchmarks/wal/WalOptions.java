package io.github.kafkadedup.benchmarks.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The WAL harness's settings, parsed from {@code --name value} arguments (and the flag {@code --quick});
 * a bad value is reported with its name.
 *
 * @param prefill keys in the claim table before the measured run (default 5,000,000)
 * @param seconds length of each variant's measured run (default 60)
 * @param expired expired keys that retention removes afterwards (default min(prefill, 1,000,000))
 * @param batch claims (and business rows) per transaction (default 500)
 * @param checkpointSeconds the embedded server's {@code checkpoint_timeout}; on an external server with a
 *     longer one, the harness runs {@code CHECKPOINT} itself at this interval (default 30)
 * @param variants the variants to run, in order (default all)
 * @param jdbcUrl an external server (a superuser that may create databases), or {@code null} for a
 *     PostgreSQL of the harness's own
 * @param user the external server's user (default postgres)
 * @param password the external server's password (default empty)
 * @param sharedBuffers the embedded server's {@code shared_buffers}, e.g. {@code 6GB} (default empty: the
 *     server's default, 128MB); not allowed with {@code --jdbc-url} (configure that server yourself)
 */
record WalOptions(long prefill, int seconds, long expired, int batch, int checkpointSeconds,
    List<WalVariant> variants, @Nullable String jdbcUrl, String user, String password, String sharedBuffers) {

  /** The settings of {@code --quick}: a smoke run of a few seconds. */
  static final String QUICK = "--prefill 20000 --expired 5000 --seconds 2 --checkpoint-seconds 1";

  static WalOptions parse(String... args) {
    List<String> list = new ArrayList<>(List.of(args));
    if (list.remove("--quick")) {
      List<String> quick = new ArrayList<>(List.of(QUICK.split(" ")));
      quick.addAll(list); // later options win
      list = quick;
    }
    if (list.size() % 2 != 0) {
      throw new IllegalArgumentException("arguments come in pairs (--name value), but got " + list);
    }
    long prefill = 5_000_000;
    int seconds = 60;
    Long expired = null;
    int batch = 500;
    int checkpointSeconds = 30;
    List<WalVariant> variants = List.of(WalVariant.values());
    String jdbcUrl = null;
    String user = "postgres";
    String password = "";
    String sharedBuffers = "";
    for (int i = 0; i < list.size(); i += 2) {
      String name = list.get(i);
      String value = list.get(i + 1);
      switch (name) {
        case "--prefill" -> prefill = number(name, value, 0);
        case "--seconds" -> seconds = (int) number(name, value, 1);
        case "--expired" -> expired = number(name, value, 1);
        case "--batch" -> batch = (int) number(name, value, 1);
        case "--checkpoint-seconds" -> checkpointSeconds = (int) number(name, value, 1);
        case "--variants" -> variants = variants(value);
        case "--jdbc-url" -> jdbcUrl = value;
        case "--user" -> user = value;
        case "--password" -> password = value;
        case "--shared-buffers" -> {
          if (!value.matches("\\d+(kB|MB|GB)")) {
            throw new IllegalArgumentException("--shared-buffers must be a size such as 128MB or 6GB, but was '"
                + value + "'");
          }
          sharedBuffers = value;
        }
        default -> throw new IllegalArgumentException("unknown option " + name + "; known: --prefill, "
            + "--seconds, --expired, --batch, --checkpoint-seconds, --variants, --jdbc-url, --user, "
            + "--password, --shared-buffers, --quick");
      }
    }
    if (jdbcUrl != null && !sharedBuffers.isEmpty()) {
      throw new IllegalArgumentException("--shared-buffers configures the harness's own server; with --jdbc-url "
          + "set shared_buffers on that server");
    }
    long expiredKeys = expired != null ? expired : Math.max(1, Math.min(prefill, 1_000_000));
    return new WalOptions(prefill, seconds, expiredKeys, batch, checkpointSeconds, variants, jdbcUrl, user,
        password, sharedBuffers);
  }

  private static long number(String name, String value, long min) {
    long parsed;
    try {
      parsed = Long.parseLong(value.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, but was '" + value + "'", e);
    }
    if (parsed < min || parsed > Integer.MAX_VALUE && !name.equals("--prefill")) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + Integer.MAX_VALUE
          + ", but was " + parsed);
    }
    return parsed;
  }

  private static List<WalVariant> variants(String value) {
    List<WalVariant> out = new ArrayList<>();
    for (String part : value.split(",")) {
      out.add(WalVariant.named(part.trim().toLowerCase(Locale.ROOT)));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--variants must not be empty");
    }
    return List.copyOf(out);
  }
}

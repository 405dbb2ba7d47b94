package io.github.kafkadedup.cli;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Options the environment may set: an option on the command line wins over its variable. */
final class EnvironmentDefaults implements IDefaultValueProvider {
  private static final Map<String, String> VARIABLES = Map.of(
      "--jdbc-url", "DEDUP_JDBC_URL",
      "--user", "DEDUP_JDBC_USER",
      "--password", "DEDUP_JDBC_PASSWORD",
      "--schema", "DEDUP_SCHEMA",
      "--prefix", "DEDUP_TABLE_PREFIX",
      "--bootstrap-servers", "DEDUP_KAFKA_BOOTSTRAP");

  private final Map<String, String> environment;

  EnvironmentDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public @Nullable String defaultValue(ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec option) {
      String variable = VARIABLES.get(option.longestName());
      if (variable != null) {
        String value = environment.get(variable);
        if (value != null && !value.isEmpty()) {
          return value;
        }
      }
    }
    return null;
  }
}

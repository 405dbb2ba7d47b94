package io.github.kafkadedup.testsupport;

import java.util.Locale;

/** Which kind of service the tests use, chosen from the environment once per JVM. */
enum InfraMode {
  EMBEDDED,
  EXTERNAL,
  TESTCONTAINERS;

  static final String INFRA_ENV = "DEDUP_TEST_INFRA";

  static InfraMode select(String externalEnv) {
    if (env(externalEnv) != null) {
      return EXTERNAL;
    }
    String infra = env(INFRA_ENV);
    if (infra == null || infra.equalsIgnoreCase("embedded")) {
      return EMBEDDED;
    }
    if (infra.equalsIgnoreCase("testcontainers")) {
      return TESTCONTAINERS;
    }
    throw new InfraException(
        INFRA_ENV + " must be 'embedded' or 'testcontainers', but was '" + infra + "'");
  }

  static String env(String name) {
    String value = System.getenv(name);
    if (value == null) {
      value = System.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'));
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  static void requireDocker() {
    if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
      throw new InfraException(
          INFRA_ENV + "=testcontainers was asked for, but no Docker engine is reachable. Unset it to use "
              + "the embedded PostgreSQL and Kafka, or set DEDUP_TEST_JDBC_URL / DEDUP_TEST_KAFKA_BOOTSTRAP.");
    }
  }
}

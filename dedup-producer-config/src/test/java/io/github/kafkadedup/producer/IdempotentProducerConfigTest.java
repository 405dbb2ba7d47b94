package io.github.kafkadedup.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

class IdempotentProducerConfigTest {
  private static final String INTERCEPTOR = IdempotencyKeyInterceptor.class.getName();

  private static IdempotentProducerConfig.Builder builder() {
    return IdempotentProducerConfig.builder().bootstrapServers("127.0.0.1:9092")
        .keySerializer(StringSerializer.class).valueSerializer(StringSerializer.class);
  }

  @Test
  void presetIsIdempotentWithUnboundedRetriesAndTheKeyInterceptor() {
    Map<String, Object> map = builder().build().toMap();

    assertThat(map).containsOnly(
        entry("bootstrap.servers", "127.0.0.1:9092"),
        entry("key.serializer", StringSerializer.class),
        entry("value.serializer", StringSerializer.class),
        entry("enable.idempotence", true),
        entry("acks", "all"),
        entry("retries", Integer.MAX_VALUE),
        entry("max.in.flight.requests.per.connection", 5),
        entry("delivery.timeout.ms", 120_000),
        entry("interceptor.classes", List.of(INTERCEPTOR)));
  }

  @Test
  void harmlessOverridesAreMerged() {
    Map<String, Object> map = builder().override("linger.ms", 20).override("acks", "-1")
        .override("max.in.flight.requests.per.connection", "1").override("compression.type", "zstd").build().toMap();

    assertThat(map).contains(entry("linger.ms", 20), entry("acks", "-1"),
        entry("max.in.flight.requests.per.connection", "1"), entry("compression.type", "zstd"));
  }

  @Test
  void acksOtherThanAllIsRefused() {
    assertRefused(builder().override("acks", "1"), "acks", "1",
        "idempotent producer: acks=1 lets the leader acknowledge before its followers have the record",
        "Fix: remove the override or set acks=all.");
    assertRefused(builder().override("acks", 0), "acks", 0, "acks=0 lets the leader");
  }

  @Test
  void acksAllIsAcceptedInAnyCase() {
    assertThat(builder().override("acks", " ALL ").build().toMap()).containsEntry("acks", " ALL ");
  }

  @Test
  void retriesBelowOneIsRefused() {
    assertRefused(builder().override("retries", 0), "retries", 0,
        "retries=0 fails a send on the first transient error", "Fix: remove the override;");
  }

  @Test
  void moreThanFiveRequestsInFlightIsRefused() {
    assertRefused(builder().override("max.in.flight.requests.per.connection", 6),
        "max.in.flight.requests.per.connection", 6,
        "max.in.flight.requests.per.connection=6 exceeds the 5 batches per partition",
        "Fix: use a value from 1 to 5.");
  }

  @Test
  void disabledIdempotenceIsRefused() {
    assertRefused(builder().override("enable.idempotence", false), "enable.idempotence", false,
        "enable.idempotence=false turns off the broker's duplicate check", "Fix: remove the override.");
    assertRefused(builder().override("enable.idempotence", "FALSE"), "enable.idempotence", "FALSE",
        "enable.idempotence=FALSE turns off");
  }

  @Test
  void aTransactionalIdOverrideIsRefusedInFavourOfThePrefix() {
    assertRefused(builder().override("transactional.id", "orders-tx"), "transactional.id", "orders-tx",
        "transactional.id=orders-tx is an override, which would give every producer the same id",
        "Fix: call transactionalIdPrefix(\"orders-tx\")");
  }

  @Test
  void aDeliveryTimeoutBelowLingerPlusRequestTimeoutIsRefused() {
    assertRefused(builder().override("request.timeout.ms", 200_000), "delivery.timeout.ms", 120_000,
        "delivery.timeout.ms=120000 is below linger.ms + request.timeout.ms = 200005");
    assertRefused(builder().deliveryTimeout(Duration.ofSeconds(10)), "delivery.timeout.ms", 10_000,
        "delivery.timeout.ms=10000 is below linger.ms + request.timeout.ms = 30005");
  }

  @Test
  void aMissingBootstrapServersIsRefused() {
    assertRefused(IdempotentProducerConfig.builder(), "bootstrap.servers", null,
        "idempotent producer: bootstrap.servers is missing and the producer cannot reach Kafka without it",
        "Fix: call bootstrapServers(");
  }

  @Test
  void anUnparseableValueIsRefusedNamingTheProperty() {
    assertRefused(builder().override("retries", "many"), "retries", "many",
        "retries must be an integer, but was \"many\"");
    assertRefused(builder().override("enable.idempotence", "yes"), "enable.idempotence", "yes",
        "enable.idempotence must be true or false, but was \"yes\"");
  }

  @Test
  void warnStanceKeepsTheValuesAndLogsOneLinePerProperty() {
    List<String> warnings = new ArrayList<>();
    IdempotentProducerConfig config = builder().stance(Stance.WARN).warnings(warnings::add)
        .override("acks", "1").override("enable.idempotence", false).override("retries", 0).build();

    assertThat(config.toMap()).contains(entry("acks", "1"), entry("enable.idempotence", false), entry("retries", 0));
    assertThat(config.stance()).isEqualTo(Stance.WARN);
    assertThat(warnings).hasSize(3);
    assertThat(warnings.get(0)).startsWith("idempotent producer: enable.idempotence=false turns off")
        .endsWith("[kept because the stance is WARN]");
    assertThat(warnings.get(1)).startsWith("idempotent producer: acks=1 lets");
    assertThat(warnings.get(2)).startsWith("idempotent producer: retries=0 fails");
  }

  @Test
  void warnStanceStillRefusesWhatCannotWork() {
    assertRefused(IdempotentProducerConfig.builder().stance(Stance.WARN), "bootstrap.servers", null,
        "bootstrap.servers is missing");
  }

  @Test
  void aBlankBootstrapServersIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().bootstrapServers(" "), "bootstrap.servers", " ",
        "bootstrapServers (bootstrap.servers) must not be blank, but was \" \"");
  }

  @Test
  void aDeliveryTimeoutOutOfRangeIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().deliveryTimeout(Duration.ZERO), "delivery.timeout.ms", Duration.ZERO,
        "deliveryTimeout (delivery.timeout.ms) must be between 1 ms and 2147483647 ms, but was PT0S");
    assertRefused(() -> builder().deliveryTimeout(Duration.ofDays(30)), "delivery.timeout.ms", Duration.ofDays(30),
        "deliveryTimeout (delivery.timeout.ms) must be between 1 ms and 2147483647 ms, but was PT720H");
  }

  @Test
  void aBlankTransactionalIdPrefixIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().transactionalIdPrefix(""), "transactional.id", "",
        "transactionalIdPrefix (transactional.id) must not be blank, but was \"\"");
  }

  @Test
  void aKeySerializerThatIsNoSerializerIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().keySerializer(String.class), "key.serializer", String.class,
        "keySerializer (key.serializer) must implement org.apache.kafka.common.serialization.Serializer, "
            + "but was java.lang.String");
  }

  @Test
  void aValueSerializerThatIsNoSerializerIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().valueSerializer(Object.class), "value.serializer", Object.class,
        "valueSerializer (value.serializer) must implement org.apache.kafka.common.serialization.Serializer, "
            + "but was java.lang.Object");
  }

  @Test
  void aBlankOverridePropertyIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().override(" ", 1), "override", " ",
        "override property (override) must not be blank, but was \" \"");
  }

  @Test
  void anInterceptorListOfTheWrongTypeIsRefused() {
    assertRefused(builder().override("interceptor.classes", 42), "interceptor.classes", 42,
        "interceptor.classes must be class names (a comma-separated String, a Class or a List of them), "
            + "but was 42 (Integer)");
  }

  @Test
  void userInterceptorsComeFirstAndOursIsAddedOnce() {
    assertThat(builder().override("interceptor.classes", "com.example.A, com.example.B").build().toMap())
        .containsEntry("interceptor.classes", List.of("com.example.A", "com.example.B", INTERCEPTOR));
    assertThat(builder().override("interceptor.classes", List.of(IdempotencyKeyInterceptor.class)).build().toMap())
        .containsEntry("interceptor.classes", List.of(INTERCEPTOR));
  }

  @Test
  void theInterceptorCanBeLeftOut() {
    assertThat(builder().idempotencyKeys(false).build().toMap()).doesNotContainKey("interceptor.classes");
    assertThat(builder().idempotencyKeys(false).override("interceptor.classes", "com.example.A").build().toMap())
        .containsEntry("interceptor.classes", List.of("com.example.A"));
  }

  @Test
  void aTransactionalProducerGetsThePrefixOrAPerProducerId() {
    IdempotentProducerConfig config = builder().transactionalIdPrefix("orders-").build();

    assertThat(config.transactionalIdPrefix()).contains("orders-");
    assertThat(config.toMap()).containsEntry("transactional.id", "orders-");
    assertThat(config.toMap("3")).containsEntry("transactional.id", "orders-3").containsEntry("acks", "all");
    assertThat(config.toProperties()).containsEntry("transactional.id", "orders-");
  }

  @Test
  void aPerProducerIdNeedsAPrefixAndASuffix() {
    assertThatThrownBy(() -> builder().build().toMap("3")).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("toMap(\"3\") needs a transactional id prefix: call transactionalIdPrefix(");
    assertThatThrownBy(() -> builder().transactionalIdPrefix("orders-").build().toMap(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("suffix must not be blank, but was \" \"");
  }

  @Test
  void toBuilderDerivesAModifiedCopyAndLeavesTheOriginalAlone() {
    IdempotentProducerConfig original = builder().override("linger.ms", 10).build();

    IdempotentProducerConfig copy = original.toBuilder().override("linger.ms", 50).build();

    assertThat(original.toMap()).containsEntry("linger.ms", 10);
    assertThat(copy.toMap()).containsEntry("linger.ms", 50).containsEntry("acks", "all");
    assertThat(original.toProperties()).containsAllEntriesOf(original.toMap());
  }

  @Test
  void toStringHidesSecrets() {
    String text = builder().override("sasl.jaas.config", "secret-jaas").override("ssl.key.password", "pw")
        .build().toString();

    assertThat(text).contains("sasl.jaas.config=[hidden]", "ssl.key.password=[hidden]", "acks=all")
        .doesNotContain("secret-jaas", "=pw");
  }

  @Test
  void kafkaClientsAcceptThePresetAsItIs() {
    IdempotentProducerConfig config = builder().transactionalIdPrefix("orders-").build();
    try (var producer = new KafkaProducer<String, String>(config.toMap("0"))) {
      assertThat(producer.metrics()).isNotEmpty();
    }
  }

  @Test
  void springKafkaTakesTheTransactionalIdAsItsPrefix() {
    IdempotentProducerConfig config = builder().transactionalIdPrefix("orders-").build();

    var factory = new DefaultKafkaProducerFactory<String, String>(config.toMap());

    assertThat(factory.getTransactionIdPrefix()).isEqualTo("orders-");
    assertThat(factory.transactionCapable()).isTrue();
    assertThat(factory.getConfigurationProperties()).containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true).doesNotContainKey("transactional.id");
  }

  static void assertRefused(IdempotentProducerConfig.Builder builder, String property, Object value,
      String... messageParts) {
    assertRefused(builder::build, property, value, messageParts);
  }

  static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String property,
      Object value, String... messageParts) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ConfigValidationException.class, e -> {
      assertThat(e.property()).isEqualTo(property);
      assertThat(e.value()).isEqualTo(value);
      assertThat(e.getMessage()).contains(messageParts);
    });
  }
}

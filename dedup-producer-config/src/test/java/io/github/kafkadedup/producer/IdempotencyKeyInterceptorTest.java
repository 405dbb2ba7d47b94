package io.github.kafkadedup.producer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class IdempotencyKeyInterceptorTest {
  private final IdempotencyKeyInterceptor interceptor = new IdempotencyKeyInterceptor();

  @Test
  void stampsATimeOrderedKeyIntoARecordWithoutOne() {
    ProducerRecord<@Nullable Object, @Nullable Object> record = new ProducerRecord<>("orders", "k", "v");

    ProducerRecord<@Nullable Object, @Nullable Object> sent = interceptor.onSend(record);

    assertThat(sent).isSameAs(record);
    UUID key = UUID.fromString(keyOf(sent));
    assertThat(key.version()).isEqualTo(7);
    assertThat(sent.headers().headers(IdempotencyKeys.HEADER)).hasSize(1);
  }

  @Test
  void leavesAnExistingKeyUntouched() {
    ProducerRecord<@Nullable Object, @Nullable Object> record = new ProducerRecord<>("orders", "k", "v");
    record.headers().add(IdempotencyKeys.HEADER, "order-42-v1".getBytes(US_ASCII));

    ProducerRecord<@Nullable Object, @Nullable Object> sent = interceptor.onSend(record);

    assertThat(keyOf(sent)).isEqualTo("order-42-v1");
    assertThat(sent.headers().headers(IdempotencyKeys.HEADER)).hasSize(1);
  }

  @Test
  void theSameRecordSentAgainKeepsItsKey() {
    ProducerRecord<@Nullable Object, @Nullable Object> record = new ProducerRecord<>("orders", "k", "v");
    String first = keyOf(interceptor.onSend(record));
    ((RecordHeaders) record.headers()).setReadOnly(); // what KafkaProducer.send does after the interceptors

    ProducerRecord<@Nullable Object, @Nullable Object> resent = interceptor.onSend(record);

    assertThat(resent).isSameAs(record);
    assertThat(keyOf(resent)).isEqualTo(first);
  }

  @Test
  void differentRecordsGetDifferentIncreasingKeys() {
    String a = keyOf(interceptor.onSend(new ProducerRecord<>("orders", "k", "v")));
    String b = keyOf(interceptor.onSend(new ProducerRecord<>("orders", "k", "v")));

    assertThat(b).isGreaterThan(a);
  }

  @Test
  void aRecordWithReadOnlyHeadersAndNoKeyIsCopiedWithAKeyAndItsOtherHeaders() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", "t-1".getBytes(US_ASCII));
    ProducerRecord<@Nullable Object, @Nullable Object> record =
        new ProducerRecord<>("orders", 2, 1234L, "k", "v", headers);
    ((RecordHeaders) record.headers()).setReadOnly(); // sent before through a producer without the interceptor

    ProducerRecord<@Nullable Object, @Nullable Object> sent = interceptor.onSend(record);

    assertThat(sent).isNotSameAs(record);
    assertThat(UUID.fromString(keyOf(sent)).version()).isEqualTo(7);
    assertThat(new String(sent.headers().lastHeader("trace").value(), US_ASCII)).isEqualTo("t-1");
    assertThat(sent.topic()).isEqualTo("orders");
    assertThat(sent.partition()).isEqualTo(2);
    assertThat(sent.timestamp()).isEqualTo(1234L);
    assertThat(sent.key()).isEqualTo("k");
    assertThat(sent.value()).isEqualTo("v");
    assertThat(record.headers().lastHeader(IdempotencyKeys.HEADER)).isNull();
  }

  private static String keyOf(ProducerRecord<?, ?> record) {
    Header header = record.headers().lastHeader(IdempotencyKeys.HEADER);
    assertThat(header).as("idempotency-key header").isNotNull();
    return new String(header.value(), US_ASCII);
  }
}

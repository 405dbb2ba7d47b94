package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Issue 24: the sequence key of a record, and the builder's rule that sequencing needs the dead-letter table. */
class SequencingTest {

  @Test
  void theRecordKeyIsTheSequenceAndAnUnusableKeyIsNone() {
    Sequencing<Object, String> byKey = Sequencing.byRecordKey();
    assertThat(Sequencing.keyOf(byKey, new ConsumerRecord<>("t", 0, 0, "acct-1", "v"))).isEqualTo("acct-1");
    assertThat(Sequencing.keyOf(byKey, new ConsumerRecord<>("t", 0, 0, new byte[] {1, (byte) 0xab}, "v")))
        .isEqualTo("01ab");
    assertThat(Sequencing.keyOf(byKey, new ConsumerRecord<>("t", 0, 0, null, "v"))).isNull();
    assertThat(Sequencing.keyOf(byKey, new ConsumerRecord<>("t", 0, 0, "a\u0000b", "v"))).isNull();
    assertThat(Sequencing.keyOf(byKey, new ConsumerRecord<>("t", 0, 0, "x".repeat(1001), "v"))).isNull();
    Sequencing<Object, String> failing = Sequencing.by(r -> r.value().substring(5));
    assertThat(Sequencing.keyOf(failing, new ConsumerRecord<>("t", 0, 0, "k", "v"))).isNull();
  }

  @Test
  void sequencingNeedsTheDeadLetterTable() {
    DedupProcessor.Builder<String, String> builder = DedupProcessor.<String, String>builder(
            new org.postgresql.ds.PGSimpleDataSource())
        .config(DedupConfig.builder().scope("s").build()).keyStrategy(KeyStrategy.header())
        .recordHandler((r, tx) -> {}).recoverer(Recoverer.logAndMarkDead())
        .sequencing(Sequencing.byRecordKey());
    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sequencing needs recoverer Recoverer.deadLetterTable");
    builder.recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer()));
    assertThat(builder.build().scope()).isEqualTo("s");
  }
}

package io.github.kafkadedup.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.OutboxRelay;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A scenario consumer in a child JVM (so the test can SIGKILL it): the unmodified {@link DedupConsumer}
 * as the runtime role, writing {@code shop.effects} through {@link EffectsHandler} and dead-lettering to
 * {@code <topic>.DLT}. Arguments are {@code key=value}: {@code bootstrap}, {@code jdbc}, {@code user},
 * {@code password}, {@code topic}, {@code group}, {@code name}, optional {@code halt=<point>@<records>}
 * ({@link HaltSwitch}), {@code offsetsInDatabase=true}, {@code assignor=<class>}, {@code maxPollRecords},
 * {@code maxPollIntervalMs}, {@code pauseMs} (per record), {@code sequencing=true} (a sequenced service instead:
 * {@link SequenceCounterHandler}, sequencing by record key, the dead-letter table and an outbox relay) with
 * {@code fixed=true} (its handler accepts poison). Prints {@code started} once built.
 */
public final class ChildConsumerMain {
  private ChildConsumerMain() {}

  public static void main(String[] argv) {
    Map<String, String> a = new HashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    HaltSwitch halt = new HaltSwitch(HaltSwitch.Point.NONE, 0);
    if (a.containsKey("halt")) {
      String[] spec = a.get("halt").split("@");
      halt = new HaltSwitch(HaltSwitch.Point.parse(spec[0]), Long.parseLong(spec[1]));
    }
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("child-" + a.get("name"));
    hc.setJdbcUrl(a.get("jdbc"));
    hc.setUsername(a.get("user"));
    hc.setPassword(a.get("password"));
    hc.setMaximumPoolSize(2);
    hc.setConnectionTimeout(10_000);
    Map<String, Object> props = Consumers.consumerProps(a.get("bootstrap"), a.get("group"));
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.parseInt(a.getOrDefault("maxPollRecords", "200")));
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        Integer.parseInt(a.getOrDefault("maxPollIntervalMs", "300000")));
    if (a.containsKey("assignor")) {
      props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, a.get("assignor"));
    }
    HikariDataSource ds = new HikariDataSource(hc);
    var dltProducer = new KafkaProducer<>(Consumers.producerProps(a.get("bootstrap")), new ByteArraySerializer(),
        new ByteArraySerializer());
    DedupConsumer.Builder<String, String> builder = DedupConsumer.builder(props, new StringDeserializer(),
            new StringDeserializer(), ds)
        .topics(a.get("topic"))
        .config(DedupConfig.builder().schema(DedupSchema.of(ReliabilityDb.SCHEMA)).metrics(halt).build())
        .keyStrategy(KeyStrategy.header())
        .offsetsInDatabase(Boolean.parseBoolean(a.getOrDefault("offsetsInDatabase", "false")));
    OutboxRelay relay = null;
    if (Boolean.parseBoolean(a.getOrDefault("sequencing", "false"))) {
      relay = SequenceCounterHandler.sequenced(builder, ds, a.get("bootstrap"), a.get("name"),
          Boolean.parseBoolean(a.getOrDefault("fixed", "false")));
    } else {
      builder.batchHandler(new EffectsHandler(a.get("name"), Long.parseLong(a.getOrDefault("pauseMs", "0")), r -> {}))
          .recoverer(Recoverer.deadLetterTopic(dltProducer, new StringSerializer(), new StringSerializer()));
    }
    DedupConsumer<String, String> consumer = builder.build();
    OutboxRelay startedRelay = relay;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      consumer.close();
      if (startedRelay != null) {
        startedRelay.close();
      }
      dltProducer.close();
      ds.close();
    }));
    System.out.println("started");
    consumer.run();
  }
}

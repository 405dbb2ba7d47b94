package io.github.kafkadedup.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The poison-record rule the engine and the Spring adapters share, with the two ways they differ. */
class PoisonIsolationTest {
  private static final List<String> ITEMS = List.of("a", "b", "poison", "c");

  /** Applies sub-lists, failing any that holds the poison record; records what committed. */
  private static final class Log {
    final List<String> calls = new ArrayList<>();

    boolean apply(List<String> items) {
      if (items.contains("poison")) {
        throw new IllegalStateException("cannot handle " + items);
      }
      calls.add("commit " + items);
      return false;
    }
  }

  @Test
  void inPlaceEachRecordAloneAndThePoisonGoesToTheHandlerThenTheRest() {
    Log log = new Log();
    PoisonIsolation<String> isolation = PoisonIsolation.handledInPlace(log::apply,
        IllegalStateException.class::isInstance, (item, failure) -> {
          log.calls.add("dead-letter " + item);
          return false; // the engine goes on with the records after it
        });

    assertThat(isolation.oneByOne(ITEMS)).isFalse();
    assertThat(log.calls).containsExactly("commit [a]", "commit [b]", "dead-letter poison", "commit [c]");
  }

  @Test
  void inPlaceAFailureThatIsNotPoisonousPropagates() {
    Log log = new Log();
    PoisonIsolation<String> isolation = PoisonIsolation.handledInPlace(log::apply,
        IllegalArgumentException.class::isInstance, (item, failure) -> log.calls.add("dead-letter " + item));

    assertThatThrownBy(() -> isolation.oneByOne(ITEMS)).isInstanceOf(IllegalStateException.class);
    assertThat(log.calls).containsExactly("commit [a]", "commit [b]");
  }

  @Test
  void thrownToTheErrorHandlerTheFirstFailureEndsTheIsolation() {
    Log log = new Log();
    PoisonIsolation<String> isolation = PoisonIsolation.thrownToErrorHandler(log::apply, (item, failure) -> {
      throw new AssertionError("a record applied alone throws its own failure");
    });

    assertThatThrownBy(() -> isolation.oneByOne(ITEMS)).hasMessage("cannot handle [poison]");
    assertThat(log.calls).containsExactly("commit [a]", "commit [b]");
  }

  @Test
  void atANamedRecordTheRecordsBeforeItCommitTogetherThenItAlone() {
    Log log = new Log();
    PoisonIsolation<String> isolation = PoisonIsolation.thrownToErrorHandler(log::apply, (item, failure) -> {
      throw new IllegalStateException("error handler gets " + item + ": " + failure.getMessage());
    });

    assertThatThrownBy(() -> isolation.at(ITEMS, 2, new RuntimeException("boom")))
        .hasMessage("error handler gets poison: boom");
    assertThat(log.calls).containsExactly("commit [a, b]");
  }

  @Test
  void atTheFirstRecordNothingCommitsBeforeIt() {
    Log log = new Log();
    PoisonIsolation<String> isolation = PoisonIsolation.thrownToErrorHandler(log::apply, (item, f) -> true);

    assertThat(isolation.at(List.of("poison", "a"), 0, new RuntimeException("boom"))).isTrue();
    assertThat(log.calls).isEmpty();
  }

  @Test
  void aStopWhileApplyingTheRecordsBeforeItSkipsTheRecordItself() {
    List<String> ends = new ArrayList<>();
    PoisonIsolation<String> isolation = PoisonIsolation.thrownToErrorHandler(items -> true, (item, f) -> {
      ends.add(item);
      return true;
    });

    assertThat(isolation.at(ITEMS, 2, item -> ends.add("nack " + item))).isTrue();
    assertThat(isolation.oneByOne(ITEMS)).isTrue();
    assertThat(ends).isEmpty();
  }

  @Test
  void aPositionOutsideTheItemsIsRejected() {
    PoisonIsolation<String> isolation = PoisonIsolation.thrownToErrorHandler(items -> false, (item, f) -> false);

    assertThatThrownBy(() -> isolation.at(ITEMS, 4, new RuntimeException()))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}

package io.github.kafkadedup.consumer.internal;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Poison-record isolation, the one rule for the engine and every Spring adapter: once a transaction over several
 * records has failed in a way that retrying the same transaction cannot cure, the records are applied again in
 * transactions of their own so that only the poison record fails, alone.
 * <ul>
 *   <li>the failure says which record it is ({@link #at}): the records before it commit in one transaction, then
 *       that record alone is the poison;
 *   <li>it does not ({@link #oneByOne}): every record is applied in a transaction of its own, in order.
 * </ul>
 * What differs between the callers is a parameter, not a copy: how a sub-list is applied (the engine with its
 * retries, Spring through the listener adapter), and what becomes of the poison record ({@link #handledInPlace}:
 * the engine dead-letters it and goes on; {@link #thrownToErrorHandler}: Spring throws it to the container's
 * error handler, whose BackOff and recoverer take it, and whose redelivery brings the records after it).
 *
 * @param <T> an item of the failed transaction (a record with its dedup key)
 */
public final class PoisonIsolation<T> {
  private final Transaction<T> transaction;
  private final Predicate<? super RuntimeException> poisonous;
  private final Poison<T> poison;

  private PoisonIsolation(Transaction<T> transaction, Predicate<? super RuntimeException> poisonous,
      Poison<T> poison) {
    this.transaction = Objects.requireNonNull(transaction, "transaction");
    this.poisonous = Objects.requireNonNull(poisonous, "poisonous");
    this.poison = Objects.requireNonNull(poison, "poison");
  }

  /**
   * The engine's way: a record that fails alone with a failure {@code poisonous} accepts is handed to
   * {@code poison} (which dead-letters it), and the records after it are applied; any other failure propagates.
   *
   * @param transaction applies a sub-list in a transaction of its own
   * @param poisonous which failures of a record applied alone make it the poison record
   * @param poison what becomes of the poison record
   * @param <T> an item
   * @return the rule
   */
  public static <T> PoisonIsolation<T> handledInPlace(Transaction<T> transaction,
      Predicate<? super RuntimeException> poisonous, Poison<T> poison) {
    return new PoisonIsolation<>(transaction, poisonous, poison);
  }

  /**
   * Spring's way: the poison record is thrown to the container's error handler, which applies its BackOff and
   * recoverer to it; the records after it are redelivered. A record applied alone throws its own failure naming
   * it, so nothing is caught here; {@code poison} throws for a record that {@link #at} names.
   *
   * @param transaction applies a sub-list in a transaction of its own (and throws for the container)
   * @param poison throws the record to the error handler, or stops in another way (returns true: the listener
   *     nacked it)
   * @param <T> an item
   * @return the rule
   */
  public static <T> PoisonIsolation<T> thrownToErrorHandler(Transaction<T> transaction, Poison<T> poison) {
    return new PoisonIsolation<>(transaction, failure -> false, poison);
  }

  /**
   * Isolates the record the failure names: the items before {@code position} commit in a transaction of their
   * own, then the item at {@code position} goes to the poison handler.
   *
   * @param items the items of the failed transaction, in order
   * @param position where the poison record is
   * @param failure why it failed
   * @return true if the isolation stopped early (a transaction or the handler said so)
   * @throws IndexOutOfBoundsException if {@code position} is not in {@code items}
   */
  public boolean at(List<T> items, int position, RuntimeException failure) {
    return at(items, position, item -> poison.isolated(item, failure));
  }

  /**
   * As {@link #at(List, int, RuntimeException)}, with another end for the record at {@code position}: a record
   * the listener nacked, or one the engine rejected, rather than one whose transaction failed.
   *
   * @param items the items of the failed transaction, in order
   * @param position where the record is
   * @param then what becomes of it; returns true to stop
   * @return true if the isolation stopped early
   * @throws IndexOutOfBoundsException if {@code position} is not in {@code items}
   */
  public boolean at(List<T> items, int position, Predicate<? super T> then) {
    Objects.checkIndex(position, items.size());
    if (position > 0 && transaction.apply(items.subList(0, position))) {
      return true;
    }
    return then.test(items.get(position));
  }

  /**
   * Applies every item in a transaction of its own, in order; the poison records go to the poison handler.
   *
   * @param items the items of the failed transaction
   * @return true if the isolation stopped early (a transaction or the handler said so)
   */
  public boolean oneByOne(List<T> items) {
    for (T item : items) {
      boolean stop;
      try {
        stop = transaction.apply(List.of(item));
      } catch (RuntimeException failure) {
        if (!poisonous.test(failure)) {
          throw failure;
        }
        stop = poison.isolated(item, failure);
      }
      if (stop) {
        return true;
      }
    }
    return false;
  }

  /**
   * Applies a sub-list of the items in a transaction of its own.
   *
   * @param <T> an item
   */
  @FunctionalInterface
  public interface Transaction<T> {
    /**
     * @param items the sub-list, in order
     * @return true to stop the isolation: the rest must not be applied (a Spring listener nacked a record)
     */
    boolean apply(List<T> items);
  }

  /**
   * What becomes of the poison record.
   *
   * @param <T> an item
   */
  @FunctionalInterface
  public interface Poison<T> {
    /**
     * @param item the record that failed alone
     * @param failure why
     * @return true to stop the isolation
     */
    boolean isolated(T item, RuntimeException failure);
  }
}

package io.github.kafkadedup.examples.plain;

/**
 * The event the service consumes: {@code orderId,customerId,amountCents} as text (a real service would use
 * JSON or Avro; the format is not the point here).
 *
 * @param orderId the order
 * @param customerId who placed it
 * @param amountCents its amount in cents, positive
 */
public record OrderPlaced(String orderId, String customerId, long amountCents) {

  /** Checks the fields. */
  public OrderPlaced {
    if (orderId.isBlank() || customerId.isBlank()) {
      throw new IllegalArgumentException("orderId and customerId must not be blank");
    }
    if (amountCents <= 0) {
      throw new IllegalArgumentException("amountCents must be positive, but was " + amountCents);
    }
  }

  /**
   * Parses {@code orderId,customerId,amountCents}.
   *
   * @param text the record value
   * @return the event
   * @throws IllegalArgumentException if {@code text} is not an order (the record is then dead-lettered)
   */
  public static OrderPlaced parse(String text) {
    String[] parts = text == null ? new String[0] : text.split(",", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected 'orderId,customerId,amountCents', but was '" + text + "'");
    }
    try {
      return new OrderPlaced(parts[0], parts[1], Long.parseLong(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("amountCents is not a number in '" + text + "'", e);
    }
  }

  /** @return the record value for this event */
  public String toText() {
    return orderId + "," + customerId + "," + amountCents;
  }
}

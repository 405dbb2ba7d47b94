package io.github.kafkadedup.examples.demo;

/**
 * An order event: {@code amountCents} is charged to {@code accountId}. On the wire it is the text
 * {@code orderId,accountId,amountCents}; the record key is the account id, so one account's orders stay
 * in order on one partition (and the record key is therefore <em>not</em> unique per message: the dedup
 * key is the {@code idempotency-key} header).
 *
 * @param orderId unique per order
 * @param accountId the account charged
 * @param amountCents the amount, in cents
 */
record Order(String orderId, String accountId, long amountCents) {

  String toWire() {
    return orderId + "," + accountId + "," + amountCents;
  }

  static Order fromWire(String text) {
    String[] parts = text.split(",", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("an order is 'orderId,accountId,amountCents', but was '" + text + "'");
    }
    return new Order(parts[0], parts[1], Long.parseLong(parts[2]));
  }
}

package io.github.kafkadedup.examples.plain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class OrderPlacedTest {

  @Test
  void roundTripsThroughItsText() {
    OrderPlaced order = new OrderPlaced("o-1", "c-7", 1250);

    assertThat(OrderPlaced.parse(order.toText())).isEqualTo(order);
    assertThat(order.toText()).isEqualTo("o-1,c-7,1250");
  }

  @Test
  void malformedTextIsRejectedWithTheText() {
    assertThatIllegalArgumentException().isThrownBy(() -> OrderPlaced.parse("not an order"))
        .withMessage("expected 'orderId,customerId,amountCents', but was 'not an order'");
    assertThatIllegalArgumentException().isThrownBy(() -> OrderPlaced.parse(null))
        .withMessage("expected 'orderId,customerId,amountCents', but was 'null'");
    assertThatIllegalArgumentException().isThrownBy(() -> OrderPlaced.parse("o-1,c-7,ten"))
        .withMessage("amountCents is not a number in 'o-1,c-7,ten'");
    assertThatIllegalArgumentException().isThrownBy(() -> OrderPlaced.parse("o-1,c-7,0"))
        .withMessage("amountCents must be positive, but was 0");
  }
}

// The order-export flow end to end on the embedded (bundled) broker, as in the seed: confirm
// an order -> AFTER_COMMIT event -> KafkaTemplate -> order-export -> @KafkaListener -> use case
// -> external client; a rolled-back confirmation exports nothing.
package com.example.orderexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import com.example.orderexport.application.OrderService;
import com.example.orderexport.infrastructure.FakeExternalPlatformClient;
import dev.ferrokafka.test.EmbeddedFerroKafka;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
@EmbeddedFerroKafka(partitions = 3, topics = {"order-export"})
class OrderExportFlowTest {

    @Autowired
    OrderService orderService;
    @Autowired
    FakeExternalPlatformClient fakeExternalPlatformClient;

    @Test
    void confirmedOrderIsExported() {
        orderService.createOrder(1001);
        var order = orderService.confirmOrder(1001);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fakeExternalPlatformClient.getReceivedOrderIds()).contains(order.getId()));
    }

    @Test
    void rolledBackConfirmationIsNotExported() throws Exception {
        orderService.createOrder(2002);
        assertThatThrownBy(() -> orderService.confirmOrderThenFail(2002)).isInstanceOf(IllegalStateException.class);
        orderService.createOrder(2003);
        orderService.confirmOrder(2003);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fakeExternalPlatformClient.getReceivedOrderIds()).contains(2003L));
        assertThat(fakeExternalPlatformClient.getReceivedOrderIds()).doesNotContain(2002L);
    }
}

// The order-export flow's end-to-end scenarios, as in the seed: confirm an order -> AFTER_COMMIT
// event -> KafkaTemplate -> order-export -> @KafkaListener -> use case -> external client; a
// rolled-back confirmation exports nothing. Written once; each subclass only picks the embedded
// broker (OrderExportFlowTest: @EmbeddedFerroKafka; the stock-embedded-kafka profile's
// OrderExportFlowOnStockEmbeddedKafka: spring-kafka-test's @EmbeddedKafka), so the benchmark
// bench/jvm/order-export-wall.sh times the same test logic on both.
package com.example.orderexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import com.example.orderexport.application.OrderService;
import com.example.orderexport.infrastructure.FakeExternalPlatformClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

abstract class OrderExportFlowScenarios {

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

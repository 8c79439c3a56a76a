// Consumes order-export and hands each request to the use case.
package com.example.orderexport.application;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

@Component
public class OrderExportConsumer {
    private final OrderExportUseCase useCase;

    public OrderExportConsumer(OrderExportUseCase useCase) {
        this.useCase = useCase;
    }

    @KafkaListener(topics = OrderExportEventHandler.TOPIC, groupId = "order-export-consumer")
    public void consume(OrderExportMessage message) {
        useCase.export(message.orderId());
    }
}

// After the confirming transaction commits, sends the export request to Kafka.
package com.example.orderexport.application;

import java.time.Instant;

import com.example.orderexport.domain.OrderExportRequestedEvent;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

@Component
public class OrderExportEventHandler {
    public static final String TOPIC = "order-export";

    private final KafkaTemplate<String, OrderExportMessage> kafkaTemplate;

    public OrderExportEventHandler(KafkaTemplate<String, OrderExportMessage> kafkaTemplate) {
        this.kafkaTemplate = kafkaTemplate;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    public void on(OrderExportRequestedEvent event) {
        kafkaTemplate.send(TOPIC, String.valueOf(event.orderId()),
                new OrderExportMessage(event.orderId(), Instant.now().toString()));
    }
}

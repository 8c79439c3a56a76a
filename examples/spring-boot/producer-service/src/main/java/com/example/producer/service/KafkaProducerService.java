// Sends messages with KafkaTemplate (keyed, CompletableFuture<SendResult>), counts and times
// them with Micrometer, and receives feedback with a manually acknowledged @KafkaListener.
package com.example.producer.service;

import java.time.LocalDateTime;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.example.producer.config.KafkaProducerConfig;
import com.example.producer.model.Message;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Service;

@Service
public class KafkaProducerService {
    private static final Logger log = LoggerFactory.getLogger(KafkaProducerService.class);

    private final KafkaTemplate<String, Message> kafkaTemplate;
    private final Counter messagesSentCounter;
    private final Counter messagesFailedCounter;
    private final Counter messagesReceivedCounter;
    private final Timer messageSendTimer;

    public KafkaProducerService(KafkaTemplate<String, Message> kafkaTemplate, MeterRegistry meterRegistry) {
        this.kafkaTemplate = kafkaTemplate;
        this.messagesSentCounter = Counter.builder("kafka.producer.messages.sent").register(meterRegistry);
        this.messagesFailedCounter = Counter.builder("kafka.producer.messages.failed").register(meterRegistry);
        this.messagesReceivedCounter = Counter.builder("kafka.producer.messages.received").register(meterRegistry);
        this.messageSendTimer = Timer.builder("kafka.producer.message.send.time").register(meterRegistry);
    }

    public CompletableFuture<SendResult<String, Message>> sendMessage(String key, Message message) {
        if (message.getId() == null) {
            message.setId(UUID.randomUUID().toString());
        }
        if (message.getTimestamp() == null) {
            message.setTimestamp(LocalDateTime.now());
        }
        Timer.Sample sample = Timer.start();
        return kafkaTemplate.send(KafkaProducerConfig.TOPIC_NAME, key, message).whenComplete((result, ex) -> {
            sample.stop(messageSendTimer);
            if (ex == null) {
                messagesSentCounter.increment();
                log.debug("sent {} to {}-{}@{}", message.getId(), result.getRecordMetadata().topic(),
                        result.getRecordMetadata().partition(), result.getRecordMetadata().offset());
            } else {
                messagesFailedCounter.increment();
                log.error("sending {} failed", message.getId(), ex);
            }
        });
    }

    public CompletableFuture<SendResult<String, Message>> sendMessage(Message message) {
        return sendMessage(UUID.randomUUID().toString(), message);
    }

    @KafkaListener(topics = KafkaProducerConfig.FEEDBACK_TOPIC_NAME, containerFactory = "kafkaListenerContainerFactory")
    public void consumeFeedback(ConsumerRecord<String, Message> record, Acknowledgment ack) {
        log.info("Received feedback: {}", record.value());
        messagesReceivedCounter.increment();
        ack.acknowledge();
    }
}

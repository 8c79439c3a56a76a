// The producer service end to end on the bundled broker: both REST endpoints over HTTP, the
// records on demo-topic (JSON, keyed), the manually acknowledged feedback listener and the
// Micrometer counters.
package com.example.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.example.producer.config.KafkaProducerConfig;
import com.example.producer.model.Message;
import dev.ferrokafka.spring.FerroKafkaProducerFactory;
import dev.ferrokafka.test.EmbeddedFerroKafka;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@EmbeddedFerroKafka
class ProducerServiceTest {

    @Autowired
    TestRestTemplate http;
    @Autowired
    ConsumerFactory<String, Message> consumerFactory;
    @Autowired
    ProducerFactory<String, Message> producerFactory;
    @Autowired
    KafkaTemplate<String, Message> kafkaTemplate;
    @Autowired
    MeterRegistry meters;

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void restEndpointsSendJsonToDemoTopic() {
        assertInstanceOf(FerroKafkaProducerFactory.class, producerFactory, "the app's own factory bean runs on ferrokafka");
        Message m = Message.builder().content("Hello, Kafka!").type("INFO").source("api-test")
                .metadata(Map.of("key1", "value1")).build();
        ResponseEntity<Map> full = http.postForEntity("/api/messages", m, Map.class);
        assertEquals(200, full.getStatusCode().value());
        assertEquals("success", full.getBody().get("status"));
        ResponseEntity<Map> simple = http.postForEntity("/api/messages/simple?content={c}&type={t}", null, Map.class, "Hello Kafka", "WARN");
        assertEquals(200, simple.getStatusCode().value());

        List<Message> got = new ArrayList<>();
        try (Consumer<String, Message> c = consumerFactory.createConsumer("verify", "v")) {
            List<TopicPartition> parts = List.of(0, 1, 2).stream().map(p -> new TopicPartition(KafkaProducerConfig.TOPIC_NAME, p)).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Message> r : c.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
            }
        }
        assertEquals(2, got.size());
        assertTrue(got.stream().anyMatch(x -> "Hello, Kafka!".equals(x.getContent()) && "value1".equals(x.getMetadata().get("key1"))), "got " + got);
        assertTrue(got.stream().anyMatch(x -> "Hello Kafka".equals(x.getContent()) && "WARN".equals(x.getType())), "got " + got);
        double sent = meters.find("kafka.producer.messages.sent").counters().stream().mapToDouble(x -> x.count()).sum();
        assertTrue(sent >= 2, "messages.sent counter: " + sent + " failed: "
                + meters.find("kafka.producer.messages.failed").counters().stream().mapToDouble(x -> x.count()).sum());
    }

    @Test
    void feedbackListenerAcknowledgesManually() throws Exception {
        double before = meters.counter("kafka.producer.messages.received").count();
        kafkaTemplate.send(KafkaProducerConfig.FEEDBACK_TOPIC_NAME, "fb", Message.builder().content("thanks").build()).get();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (meters.counter("kafka.producer.messages.received").count() <= before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(meters.counter("kafka.producer.messages.received").count() > before);
    }
}

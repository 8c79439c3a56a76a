// A Spring Boot app written for stock spring-kafka (KafkaTemplate, a NewTopic bean, a
// @KafkaListener with manual Acknowledgment, JSON values) running on the starter and the
// bundled broker: Boot's factories backed off for ours and everything works unchanged.
// The drop-in proof: with -Dferrokafka.apache.bootstrap=host:port the same class runs with
// the starter switched off (spring-kafka's stock factories, Java's clients) on that real
// Apache Kafka.
package dev.ferrokafka.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.ferrokafka.test.EmbeddedFerroKafka;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.SendResult;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(classes = StarterDropInTest.App.class, properties = {
        "spring.kafka.consumer.group-id=dropin",
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "spring.kafka.consumer.enable-auto-commit=false",
        "spring.kafka.listener.ack-mode=manual",
        "spring.kafka.producer.acks=all",
        "spring.kafka.producer.retries=3",
        "spring.kafka.producer.batch-size=16384",
        "spring.kafka.producer.compression-type=snappy",
        "spring.kafka.producer.properties.enable.idempotence=true",
        "spring.kafka.producer.value-serializer=org.springframework.kafka.support.serializer.JsonSerializer",
        "spring.kafka.consumer.value-deserializer=org.springframework.kafka.support.serializer.JsonDeserializer",
        "spring.kafka.consumer.properties.spring.json.trusted.packages=*",
})
@EmbeddedFerroKafka
class StarterDropInTest {

    public record Greeting(String text, int n) {}

    static final String APACHE = System.getProperty("ferrokafka.apache.bootstrap", "");

    @DynamicPropertySource
    static void apacheKafka(DynamicPropertyRegistry registry) {
        if (!APACHE.isEmpty()) {
            registry.add("spring.kafka.bootstrap-servers", () -> APACHE);
            registry.add("ferrokafka.enabled", () -> "false");
        }
    }

    private static boolean ours() {
        return APACHE.isEmpty();
    }

    @SpringBootApplication
    static class App {
        final BlockingQueue<ConsumerRecord<String, Greeting>> received = new LinkedBlockingQueue<>();
        final List<String> consumersAdded = new CopyOnWriteArrayList<>();

        @Bean
        NewTopic greetings() {
            return TopicBuilder.name("greetings").partitions(3).replicas(1).build();
        }

        @KafkaListener(topics = "greetings")
        void listen(ConsumerRecord<String, Greeting> record, Acknowledgment ack) {
            received.add(record);
            ack.acknowledge();
        }
    }

    @Autowired
    App app;
    @Autowired
    KafkaTemplate<String, Greeting> template;
    @Autowired
    ProducerFactory<?, ?> producerFactory;
    @Autowired
    ConsumerFactory<?, ?> consumerFactory;
    @Autowired
    KafkaAdmin kafkaAdmin;

    @Test
    void templateListenerManualAckTopicsAndJson() throws Exception {
        if (ours()) {
            assertInstanceOf(FerroKafkaProducerFactory.class, producerFactory);
            assertInstanceOf(FerroKafkaConsumerFactory.class, consumerFactory);
            assertInstanceOf(FerroKafkaSpringAdmin.class, kafkaAdmin);
        } else {
            assertEquals(org.springframework.kafka.core.DefaultKafkaProducerFactory.class, producerFactory.getClass());
        }
        assertEquals(3, kafkaAdmin.describeTopics("greetings").get("greetings").partitions().size());

        SendResult<String, Greeting> sent = template.send("greetings", "k1", new Greeting("hi", 1)).get(30, TimeUnit.SECONDS);
        assertTrue(sent.getRecordMetadata().offset() >= 0);
        ConsumerRecord<String, Greeting> r = app.received.poll(60, TimeUnit.SECONDS);
        // No default type is configured: the JsonDeserializer can only build a Greeting from the
        // __TypeId__ header the JsonSerializer wrote, so headers crossed both ways.
        assertEquals(new Greeting("hi", 1), r.value());
        assertEquals("k1", r.key());

        // Manual acks were committed: a fresh consumer in the group sees the committed offset.
        try (Consumer<?, ?> c = consumerFactory.createConsumer("dropin", "check")) {
            var tp = new org.apache.kafka.common.TopicPartition("greetings", r.partition());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Long committed = null;
            while (System.nanoTime() < deadline) {
                var o = c.committed(java.util.Set.of(tp)).get(tp);
                if (o != null && o.offset() == r.offset() + 1) {
                    committed = o.offset();
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(r.offset() + 1, committed);
        }
        assertTrue(template.metrics().keySet().stream().anyMatch(m -> m.name().equals("record-send-total")));
    }

    @Test
    void listenersOfTheConsumerFactorySeeOurConsumers() {
        List<String> added = new CopyOnWriteArrayList<>();
        List<String> removed = new CopyOnWriteArrayList<>();
        @SuppressWarnings("unchecked")
        ConsumerFactory<Object, Object> cf = (ConsumerFactory<Object, Object>) consumerFactory;
        cf.addListener(new ConsumerFactory.Listener<>() {
            @Override
            public void consumerAdded(String id, Consumer<Object, Object> consumer) {
                added.add(id);
            }

            @Override
            public void consumerRemoved(String id, Consumer<Object, Object> consumer) {
                removed.add(id);
            }
        });
        cf.createConsumer("other", "x").close();
        assertEquals(1, added.size());
        assertEquals(added, removed);
    }
}

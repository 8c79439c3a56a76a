// The starter and @EmbeddedFerroKafka in a Spring Boot 4.0 application (spring-kafka 4.0,
// kafka-clients 4.1, Jackson 3): Boot 4's Kafka auto-configuration (module spring-boot-kafka)
// backs off for our factories, spring.kafka.* binds, KafkaTemplate + @KafkaListener with
// manual Acknowledgment carry JacksonJsonSerializer values, Micrometer's client metrics are
// registered for our clients, the embedded broker works with spring-kafka-test 4's
// KafkaTestUtils, and the deprecated Jackson 2 JsonSerializer still works.
package dev.ferrokafka.boot4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.ferrokafka.clients.FerroKafkaConsumer;
import dev.ferrokafka.clients.FerroKafkaProducer;
import dev.ferrokafka.spring.FerroKafkaConsumerFactory;
import dev.ferrokafka.spring.FerroKafkaProducerFactory;
import dev.ferrokafka.spring.FerroKafkaSpringAdmin;
import dev.ferrokafka.test.EmbeddedFerroKafka;
import dev.ferrokafka.test.FerroEmbeddedKafkaBroker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.SendResult;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

@SpringBootTest(classes = Boot4StarterTest.App.class, properties = {
        "logging.level.root=warn",
        "spring.kafka.consumer.group-id=boot4",
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "spring.kafka.consumer.enable-auto-commit=false",
        "spring.kafka.listener.ack-mode=manual",
        "spring.kafka.producer.acks=all",
        "spring.kafka.producer.retries=3",
        "spring.kafka.producer.batch-size=16384",
        "spring.kafka.producer.compression-type=snappy",
        "spring.kafka.producer.properties.enable.idempotence=true",
        "spring.kafka.producer.value-serializer=org.springframework.kafka.support.serializer.JacksonJsonSerializer",
        "spring.kafka.consumer.value-deserializer=org.springframework.kafka.support.serializer.JacksonJsonDeserializer",
        "spring.kafka.consumer.properties.spring.json.trusted.packages=*",
})
@EmbeddedFerroKafka(topics = "legacy-json", partitions = 1)
class Boot4StarterTest {

    public record Greeting(String text, int n) {}

    @SpringBootApplication
    static class App {
        final BlockingQueue<ConsumerRecord<String, Greeting>> received = new LinkedBlockingQueue<>();

        @Bean
        NewTopic greetings() {
            return TopicBuilder.name("greetings").partitions(3).replicas(1).build();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
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
    ApplicationContext context;
    @Autowired
    KafkaTemplate<String, Greeting> template;
    @Autowired
    ProducerFactory<?, ?> producerFactory;
    @Autowired
    ConsumerFactory<?, ?> consumerFactory;
    @Autowired
    KafkaAdmin kafkaAdmin;
    @Autowired
    MeterRegistry meters;
    @Autowired
    EmbeddedKafkaBroker embeddedKafka;

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void bootBacksOffAndPropertiesBind() {
        assertInstanceOf(FerroKafkaProducerFactory.class, producerFactory);
        assertInstanceOf(FerroKafkaConsumerFactory.class, consumerFactory);
        assertInstanceOf(FerroKafkaSpringAdmin.class, kafkaAdmin);
        assertEquals(1, context.getBeansOfType(ProducerFactory.class).size());
        assertEquals(1, context.getBeansOfType(ConsumerFactory.class).size());
        Map<String, Object> p = producerFactory.getConfigurationProperties();
        assertEquals("all", p.get(ProducerConfig.ACKS_CONFIG));
        assertEquals("snappy", p.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
        assertEquals(16384, p.get(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals(embeddedKafka.getBrokersAsString(), String.join(",",
                (java.util.List<String>) p.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)));
        assertEquals("boot4", consumerFactory.getConfigurationProperties().get(ConsumerConfig.GROUP_ID_CONFIG));
        // A template with config overrides copies the factory: the copy creates our clients too.
        @SuppressWarnings("unchecked")
        KafkaTemplate<String, Greeting> overridden = new KafkaTemplate<>(
                (ProducerFactory<String, Greeting>) producerFactory, Map.of(ProducerConfig.LINGER_MS_CONFIG, 1));
        assertInstanceOf(FerroKafkaProducerFactory.class, overridden.getProducerFactory());
    }

    @Test
    void templateListenerManualAckJacksonJsonAndMicrometer() throws Exception {
        assertEquals(3, kafkaAdmin.describeTopics("greetings").get("greetings").partitions().size());
        SendResult<String, Greeting> sent = template.send("greetings", "k1", new Greeting("hi", 1)).get(30, TimeUnit.SECONDS);
        assertTrue(sent.getRecordMetadata().offset() >= 0);
        ConsumerRecord<String, Greeting> r = app.received.poll(60, TimeUnit.SECONDS);
        assertNotNull(r, "the @KafkaListener got nothing");
        // No default type: JacksonJsonDeserializer builds a Greeting from the type header only.
        assertEquals(new Greeting("hi", 1), r.value());
        assertEquals("k1", r.key());

        TopicPartition tp = new TopicPartition("greetings", r.partition());
        try (Consumer<?, ?> c = consumerFactory.createConsumer("boot4", "check")) {
            await("the manual ack's commit", () -> {
                var o = c.committed(Set.of(tp)).get(tp);
                return o != null && o.offset() == r.offset() + 1;
            });
        }
        // Boot 4's KafkaMetricsAutoConfiguration customizes our factories with Micrometer's
        // listeners, which bind our clients' metrics.
        await("kafka.producer meters", () -> meters.getMeters().stream()
                .anyMatch(m -> m.getId().getName().startsWith("kafka.producer.")));
        await("kafka.consumer meters", () -> meters.getMeters().stream()
                .anyMatch(m -> m.getId().getName().startsWith("kafka.consumer.")));
    }

    @Test
    void embeddedBrokerWithKafkaTestUtilsAndTheDeprecatedJsonSerializer() throws Exception {
        assertInstanceOf(FerroEmbeddedKafkaBroker.class, embeddedKafka);
        Map<String, Object> pp = KafkaTestUtils.producerProps(embeddedKafka);
        @SuppressWarnings({"deprecation", "removal"})
        var legacySerializer = new org.springframework.kafka.support.serializer.JsonSerializer<Greeting>();
        try (FerroKafkaProducer<String, Greeting> producer =
                     new FerroKafkaProducer<>(pp, new StringSerializer(), legacySerializer)) {
            producer.send(new ProducerRecord<>("legacy-json", "k", new Greeting("old", 2))).get(30, TimeUnit.SECONDS);
        }
        Properties overrides = new Properties();
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                "org.springframework.kafka.support.serializer.JsonDeserializer");
        overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        @SuppressWarnings("unchecked")
        ConsumerFactory<String, Object> cf = (ConsumerFactory<String, Object>) consumerFactory;
        Consumer<String, Object> consumer = cf.createConsumer("legacy", "legacy", null, overrides);
        try {
            assertInstanceOf(FerroKafkaConsumer.class, consumer);
            embeddedKafka.consumeFromAnEmbeddedTopic(consumer, "legacy-json");
            ConsumerRecord<String, Object> r = KafkaTestUtils.getSingleRecord(consumer, "legacy-json", Duration.ofSeconds(60));
            assertEquals(new Greeting("old", 2), r.value());
        } finally {
            // kafka-clients 4.1's close(CloseOptions), which spring-kafka 4 may call.
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
        }
    }
}

// The starter and @EmbeddedFerroKafka in a Spring Boot 4.0 application (spring-kafka 4.0,
// kafka-clients 4.1, Jackson 3): Boot 4's Kafka auto-configuration (module spring-boot-kafka)
// backs off for our factories, spring.kafka.* binds, KafkaTemplate + @KafkaListener with
// manual Acknowledgment carry JacksonJsonSerializer values, Micrometer's client metrics are
// registered for our clients (the factory's listeners see them), the embedded broker works with
// spring-kafka-test 4's KafkaTestUtils, and the deprecated Jackson 2 JsonSerializer still works.
// The Boot 4 drop-in proof: with -Dferrokafka.apache.bootstrap=host:port the same class runs
// with the starter switched off (ferrokafka.enabled=false: Boot 4's stock factories, Java's
// KafkaProducer/KafkaConsumer) on that real Apache Kafka, with the same assertions; only the
// test of our embedded broker and clients themselves is skipped there (an assumption).
package dev.ferrokafka.boot4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.SendResult;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

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

    /** Its own topic: on Apache Kafka, StarterDropInTest's "greetings" may already hold records. */
    static final String TOPIC = "boot4-greetings";

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

        @Bean
        NewTopic greetings() {
            return TopicBuilder.name(TOPIC).partitions(3).replicas(1).build();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @KafkaListener(topics = TOPIC)
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
        if (ours()) {
            assertInstanceOf(FerroKafkaProducerFactory.class, producerFactory);
            assertInstanceOf(FerroKafkaConsumerFactory.class, consumerFactory);
            assertInstanceOf(FerroKafkaSpringAdmin.class, kafkaAdmin);
        } else {
            assertEquals(DefaultKafkaProducerFactory.class, producerFactory.getClass());
            assertEquals(DefaultKafkaConsumerFactory.class, consumerFactory.getClass());
            assertEquals(KafkaAdmin.class, kafkaAdmin.getClass());
        }
        assertEquals(1, context.getBeansOfType(ProducerFactory.class).size());
        assertEquals(1, context.getBeansOfType(ConsumerFactory.class).size());
        Map<String, Object> p = producerFactory.getConfigurationProperties();
        assertEquals("all", p.get(ProducerConfig.ACKS_CONFIG));
        assertEquals("snappy", p.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
        assertEquals(16384, p.get(ProducerConfig.BATCH_SIZE_CONFIG));
        // Boot puts the connection details' bootstrap servers as a List; a String would do too.
        Object bootstrap = p.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        assertEquals(ours() ? embeddedKafka.getBrokersAsString() : APACHE, bootstrap instanceof List<?> l
                ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(bootstrap));
        assertEquals("boot4", consumerFactory.getConfigurationProperties().get(ConsumerConfig.GROUP_ID_CONFIG));
        // A template with config overrides copies the factory: on ours the copy creates our
        // clients too.
        @SuppressWarnings("unchecked")
        KafkaTemplate<String, Greeting> overridden = new KafkaTemplate<>(
                (ProducerFactory<String, Greeting>) producerFactory, Map.of(ProducerConfig.LINGER_MS_CONFIG, 1));
        if (ours()) {
            assertInstanceOf(FerroKafkaProducerFactory.class, overridden.getProducerFactory());
        } else {
            assertEquals(DefaultKafkaProducerFactory.class, overridden.getProducerFactory().getClass());
        }
    }

    @Test
    void templateListenerManualAckJacksonJsonAndMicrometer() throws Exception {
        assertEquals(3, kafkaAdmin.describeTopics(TOPIC).get(TOPIC).partitions().size());
        SendResult<String, Greeting> sent = template.send(TOPIC, "k1", new Greeting("hi", 1)).get(30, TimeUnit.SECONDS);
        assertTrue(sent.getRecordMetadata().offset() >= 0);
        ConsumerRecord<String, Greeting> r = app.received.poll(60, TimeUnit.SECONDS);
        assertNotNull(r, "the @KafkaListener got nothing");
        // No default type: JacksonJsonDeserializer builds a Greeting from the type header only.
        assertEquals(new Greeting("hi", 1), r.value());
        assertEquals("k1", r.key());

        TopicPartition tp = new TopicPartition(TOPIC, r.partition());
        try (Consumer<?, ?> c = consumerFactory.createConsumer("boot4", "check")) {
            await("the manual ack's commit", () -> {
                var o = c.committed(Set.of(tp)).get(tp);
                return o != null && o.offset() == r.offset() + 1;
            });
        }
        // Boot 4's KafkaMetricsAutoConfiguration customizes the factories (ours, or its stock
        // ones on Apache Kafka) with Micrometer's listeners, which bind the clients' metrics.
        await("kafka.producer meters", () -> meters.getMeters().stream()
                .anyMatch(m -> m.getId().getName().startsWith("kafka.producer.")));
        await("kafka.consumer meters", () -> meters.getMeters().stream()
                .anyMatch(m -> m.getId().getName().startsWith("kafka.consumer.")));
        assertTrue(template.metrics().keySet().stream().anyMatch(m -> m.name().equals("record-send-total")));
    }

    @Test
    void listenersOfTheConsumerFactorySeeItsConsumers() {
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

    @Test
    void embeddedBrokerWithKafkaTestUtilsAndTheDeprecatedJsonSerializer() throws Exception {
        assumeTrue(ours(), "checks our embedded broker and FerroKafkaProducer/Consumer themselves;"
                + " nothing of it applies to Boot's stock factories on Apache Kafka");
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

// Field by field, Spring part: one Spring Boot application written for stock spring-kafka
// (KafkaTemplate with JsonSerializer, a @KafkaListener with manual Acknowledgment taking the
// ConsumerRecord and KafkaHeaders.* @Header values) run twice against the same broker: with
// the starter switched off (spring-kafka's stock factories, Apache's clients) and with it on
// (ferrokafka's clients). What the application observes is recorded and must be equal, except
// for the differences listed in DIFFERENCES.
package dev.ferrokafka.spring.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.ferrokafka.clients.FerroKafkaBroker;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.SendResult;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.Payload;

@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SpringShapesTest {
    /** Keys left out of the comparison, each a deliberate difference (see its value). */
    static final Map<String, String> DIFFERENCES = Map.of(
            "listener.headers.kafka_consumer.class",
            "the Consumer handed to listeners is FerroKafkaConsumer instead of KafkaConsumer (same interface)");

    public record Greeting(String text, int n) {}

    record Received(ConsumerRecord<String, Greeting> record, Map<String, Object> headerParams) {}

    @SpringBootApplication
    static class App {
        final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        final BlockingQueue<Map<String, Object>> headers = new LinkedBlockingQueue<>();

        @Bean
        NewTopic shapesTopic(@Value("${shapes.topic}") String topic) {
            return TopicBuilder.name(topic).partitions(2).replicas(1).build();
        }

        @KafkaListener(topics = "${shapes.topic}", groupId = "${shapes.group}")
        void listen(ConsumerRecord<String, Greeting> record, Acknowledgment ack,
                    @Header(KafkaHeaders.RECEIVED_PARTITION) int partition,
                    @Header(KafkaHeaders.OFFSET) long offset,
                    @Header(KafkaHeaders.RECEIVED_KEY) String key,
                    @Header(KafkaHeaders.RECEIVED_TIMESTAMP) long timestamp,
                    @Header(KafkaHeaders.TIMESTAMP_TYPE) String timestampType,
                    @Header(KafkaHeaders.RECEIVED_TOPIC) String topic) {
            Map<String, Object> params = new TreeMap<>();
            params.put("partition", partition);
            params.put("offset", offset);
            params.put("key", key);
            params.put("timestamp", timestamp);
            params.put("timestampType", timestampType);
            params.put("topic", topic);
            received.add(new Received(record, params));
            ack.acknowledge();
        }

        @KafkaListener(topics = "${shapes.topic}", groupId = "${shapes.group}-headers")
        void headers(@Payload Greeting greeting, @Headers Map<String, Object> all, Acknowledgment ack) {
            Map<String, Object> copy = new TreeMap<>(all);
            copy.put("payload", greeting);
            headers.add(copy);
            ack.acknowledge();
        }
    }

    private static FerroKafkaBroker broker;

    private static synchronized String bootstrap() {
        String apache = System.getProperty("ferrokafka.apache.bootstrap", "");
        if (!apache.isEmpty()) {
            return apache;
        }
        if (broker == null) {
            broker = FerroKafkaBroker.start(Map.of("num.partitions", "3", "group.initial.rebalance.delay.ms", "0"));
        }
        return broker.bootstrapServers();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Runs the application with the starter on or off and records what it observes. */
    static Map<String, String> run(boolean ferrokafka) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "spring-shapes-" + run;
        String group = "spring-shapes-g-" + run;
        Map<String, String> out = new TreeMap<>();
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "spring.kafka.bootstrap-servers=" + bootstrap(),
                        "ferrokafka.enabled=" + ferrokafka,
                        "shapes.topic=" + topic,
                        "shapes.group=" + group,
                        "spring.kafka.consumer.auto-offset-reset=earliest",
                        "spring.kafka.consumer.enable-auto-commit=false",
                        "spring.kafka.listener.ack-mode=manual",
                        "spring.kafka.producer.value-serializer=org.springframework.kafka.support.serializer.JsonSerializer",
                        "spring.kafka.consumer.value-deserializer=org.springframework.kafka.support.serializer.JsonDeserializer",
                        "spring.kafka.consumer.properties.spring.json.trusted.packages=*")
                .run()) {
            App app = ctx.getBean(App.class);
            // Each run really is on the clients it claims (not compared: the factories differ).
            Object pf = ctx.getBean(org.springframework.kafka.core.ProducerFactory.class);
            assertEquals(ferrokafka ? "dev.ferrokafka.spring.FerroKafkaProducerFactory"
                    : "org.springframework.kafka.core.DefaultKafkaProducerFactory", pf.getClass().getName());
            @SuppressWarnings("unchecked")
            KafkaTemplate<String, Greeting> template = ctx.getBean(KafkaTemplate.class);
            long ts = System.currentTimeMillis() / 1000 * 1000;
            ProducerRecord<String, Greeting> pr = new ProducerRecord<>(topic, 1, ts, "k1", new Greeting("hi", 1));
            pr.headers().add("custom", "v".getBytes());
            SendResult<String, Greeting> sent = template.send(pr).get(30, TimeUnit.SECONDS);
            out.put("send.producerRecord", String.valueOf(sent.getProducerRecord()));
            out.put("send.recordMetadata", sent.getRecordMetadata() + " partition=" + sent.getRecordMetadata().partition()
                    + " offset=" + sent.getRecordMetadata().offset() + " timestamp=" + sent.getRecordMetadata().timestamp()
                    + " keySize=" + sent.getRecordMetadata().serializedKeySize()
                    + " valueSize=" + sent.getRecordMetadata().serializedValueSize());
            SendResult<String, Greeting> second = template.send(topic, "k2", new Greeting("again", 2)).get(30, TimeUnit.SECONDS);
            out.put("send.second.hasOffset", String.valueOf(second.getRecordMetadata().hasOffset()));
            out.put("send.second.producerRecord", String.valueOf(second.getProducerRecord()));

            Received r = app.received.poll(60, TimeUnit.SECONDS);
            assertTrue(r != null, "the listener received the record");
            ConsumerRecord<String, Greeting> c = r.record();
            out.put("listener.record", c.topic() + " partition=" + c.partition() + " offset=" + c.offset()
                    + " timestamp=" + c.timestamp() + " type=" + c.timestampType() + " key=" + c.key() + " value=" + c.value()
                    + " keySize=" + c.serializedKeySize() + " valueSize=" + c.serializedValueSize()
                    + " leaderEpoch=" + c.leaderEpoch());
            List<String> hs = new ArrayList<>();
            for (org.apache.kafka.common.header.Header h : c.headers()) {
                hs.add(h.key() + "=" + (h.value() == null ? "null" : new String(h.value())));
            }
            out.put("listener.record.headers", hs.toString());
            r.headerParams().forEach((k, v) -> out.put("listener.param." + k, v + " (" + v.getClass().getSimpleName() + ")"));

            Map<String, Object> all = app.headers.poll(60, TimeUnit.SECONDS);
            assertTrue(all != null, "the @Headers listener received the record");
            for (Map.Entry<String, Object> e : all.entrySet()) {
                Object v = e.getValue();
                String shown = v instanceof byte[] b ? new String(b) : String.valueOf(v);
                if (Set.of("id", "timestamp", "kafka_consumer", "kafka_receivedTimestamp").contains(e.getKey())) {
                    shown = "<varies>";
                }
                out.put("listener.headers." + e.getKey(), shown);
                out.put("listener.headers." + e.getKey() + ".class", v == null ? "null" : v.getClass().getName());
            }

            // The manual acknowledgment is a commit the group's offsets show.
            @SuppressWarnings("unchecked")
            ConsumerFactory<String, Greeting> cf = ctx.getBean(ConsumerFactory.class);
            TopicPartition tp = new TopicPartition(topic, 1);
            try (Consumer<String, Greeting> check = cf.createConsumer(group, "check")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                // Both records acknowledged: the committed offset is their count on partition 1.
                long expected = 1 + (second.getRecordMetadata().partition() == 1 ? 1 : 0);
                assertTrue(app.received.poll(60, TimeUnit.SECONDS) != null, "the second record was received");
                Map<TopicPartition, OffsetAndMetadata> committed = check.committed(Set.of(tp));
                while ((committed.get(tp) == null || committed.get(tp).offset() < expected) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    committed = check.committed(Set.of(tp));
                }
                out.put("ack.committed", String.valueOf(committed.get(tp)));
            }
            String admin = ctx.getBean(org.springframework.kafka.core.KafkaAdmin.class)
                    .describeTopics(topic).get(topic).partitions().size() + " partitions";
            out.put("admin.describeTopics", admin);
            out.replaceAll((k, v) -> v.replace(run, "<run>").replace(String.valueOf(ts), "<ts>"));
        }
        return out;
    }

    @Test
    void stockSpringKafkaAndTheStarterObserveTheSame() throws Exception {
        Map<String, String> stock = run(false);
        Map<String, String> ours = run(true);
        // Sanity: the stock run got through the listener with its header parameters.
        assertEquals("k1 (String)", stock.get("listener.param.key"), "sanity: " + stock);
        stock.forEach((k, v) -> System.out.println("spring shapes: " + k + " = " + v));
        assertTrue(stock.size() >= 20, "recorded " + stock.size() + " keys");
        Map<String, String> a = new TreeMap<>(stock);
        Map<String, String> f = new TreeMap<>(ours);
        a.keySet().removeAll(DIFFERENCES.keySet());
        f.keySet().removeAll(DIFFERENCES.keySet());
        assertTrue(a.equals(f), "differences (" + a.size() + " keys compared):\n" + diff(a, f));
    }

    static String diff(Map<String, String> expected, Map<String, String> actual) {
        List<String> lines = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String k : keys) {
            if (!Objects.equals(expected.get(k), actual.get(k))) {
                lines.add(k + "\n    stock:      " + expected.get(k) + "\n    ferrokafka: " + actual.get(k));
            }
        }
        return String.join("\n", lines);
    }
}

// @EmbeddedFerroKafka in a Spring test context: the `embeddedKafka` bean is our broker, topics
// exist with the asked partitions, spring.kafka.bootstrap-servers is set, and KafkaTestUtils
// helpers work with it.
package dev.ferrokafka.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;

import dev.ferrokafka.clients.FerroKafkaConsumer;
import dev.ferrokafka.clients.FerroKafkaProducer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

@SpringJUnitConfig(SpringEmbeddedBrokerTest.Config.class)
@EmbeddedFerroKafka(topics = {"orders", "audit"}, partitions = 3)
class SpringEmbeddedBrokerTest {

    @Configuration
    static class Config {}

    @Autowired
    EmbeddedKafkaBroker embeddedKafka;

    @Test
    void brokerBeanTopicsAndKafkaTestUtils() throws Exception {
        assertInstanceOf(FerroEmbeddedKafkaBroker.class, embeddedKafka);
        assertEquals(embeddedKafka.getBrokersAsString(), System.getProperty("spring.kafka.bootstrap-servers"));
        assertEquals(3, embeddedKafka.getPartitionsPerTopic());
        Map<String, Object> pp = KafkaTestUtils.producerProps(embeddedKafka);
        Map<String, Object> cp = KafkaTestUtils.consumerProps("it", "false", embeddedKafka);
        try (FerroKafkaConsumer<Integer, String> consumer = new FerroKafkaConsumer<>(cp);
             FerroKafkaProducer<Integer, String> producer = new FerroKafkaProducer<>(pp)) {
            assertEquals(3, consumer.partitionsFor("orders").size());
            embeddedKafka.consumeFromAnEmbeddedTopic(consumer, "orders");
            producer.send(new ProducerRecord<>("orders", 7, "hello")).get();
            ConsumerRecord<Integer, String> r = KafkaTestUtils.getSingleRecord(consumer, "orders");
            assertEquals(7, r.key());
            assertEquals("hello", r.value());
        }
    }
}

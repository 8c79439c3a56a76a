// @EmbeddedFerroKafka without Spring: the JUnit 5 extension starts the bundled broker and
// injects it.
package dev.ferrokafka.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.ferrokafka.clients.FerroKafkaAdmin;
import dev.ferrokafka.clients.FerroKafkaConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

@EmbeddedFerroKafka(topics = "plain", partitions = 4)
class JUnitExtensionTest {

    @Test
    void injectsARunningBroker(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = new FerroKafkaAdmin(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
            assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("plain"));
            assertEquals(4, admin.describeTopics(java.util.List.of("plain")).allTopicNames().get().get("plain").partitions().size());
        }
        broker.addTopics("extra");
        assertTrue(broker.getTopics().contains("extra"));
        assertThrows(IllegalArgumentException.class, () -> broker.addTopics("extra"));
        try (FerroKafkaConsumer<Integer, String> c = new FerroKafkaConsumer<>(KafkaTestUtils.consumerProps("g", "false", broker))) {
            assertThrows(IllegalStateException.class, () -> broker.consumeFromAnEmbeddedTopic(c, "not-embedded"));
        }
    }

    @Test
    void sameBrokerForTheClass(FerroEmbeddedKafkaBroker broker, EmbeddedKafkaBroker same) {
        assertEquals(broker.getBrokersAsString(), same.getBrokersAsString());
    }
}

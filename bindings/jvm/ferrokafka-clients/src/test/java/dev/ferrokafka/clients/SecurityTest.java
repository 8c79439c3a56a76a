// FerroKafkaProducer/Consumer over SASL_SSL with SCRAM-SHA-512, configured as kafka-clients is
// (sasl.jaas.config with ScramLoginModule, a PEM truststore), against a broker with ACLs
// (SecureBroker): an allowed user produces and consumes; a wrong password is a
// SaslAuthenticationException, a topic without ACLs a TopicAuthorizationException, an
// untrusted CA or TLS settings the broker cannot meet an SslAuthenticationException — the
// classes kafka-clients throws.
package dev.ferrokafka.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SecurityTest {
    private static SecureBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = SecureBroker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    /** What send(...).get() failed with: the cause of an ExecutionException, or what it threw. */
    private static Throwable sendFailure(FerroKafkaProducer<String, String> p, String topic) {
        try {
            p.send(new ProducerRecord<>(topic, "k", "no")).get(90, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("send to " + topic + " succeeded on " + broker.target);
    }

    private static void produceAsAlice(String topic, int n) throws Exception {
        try (FerroKafkaProducer<String, String> p =
                new FerroKafkaProducer<>(broker.producer("alice", "alice-secret", broker.ca))) {
            for (int i = 0; i < n; i++) {
                assertNotNull(p.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get(60, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void allowedUserProducesAndConsumes() throws Exception {
        String topic = TestCluster.topic("sec-java");
        produceAsAlice(topic, 5);
        try (FerroKafkaConsumer<String, String> c =
                new FerroKafkaConsumer<>(broker.consumer("alice", "alice-secret", "g-" + topic))) {
            c.subscribe(List.of(topic));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (values.size() < 5 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), values.stream().sorted().toList(), broker.target);
        }
    }

    @Test
    void wrongPasswordIsASaslAuthenticationException() {
        try (FerroKafkaProducer<String, String> p =
                new FerroKafkaProducer<>(broker.producer("alice", "Wr0ngPa55", broker.ca))) {
            Throwable e = sendFailure(p, TestCluster.topic("sec-java-auth"));
            assertInstanceOf(SaslAuthenticationException.class, e, broker.target + ": " + e);
            assertFalse(String.valueOf(e.getMessage()).contains("Wr0ngPa55"), e.getMessage());
        }
    }

    @Test
    void topicWithoutAclIsATopicAuthorizationException() throws Exception {
        String topic = TestCluster.topic("sec-java-denied");
        produceAsAlice(topic, 1); // the topic exists: bob's failure is about ACLs
        try (FerroKafkaProducer<String, String> p =
                new FerroKafkaProducer<>(broker.producer("bob", "bob-secret", broker.ca))) {
            Throwable e = sendFailure(p, topic);
            assertInstanceOf(TopicAuthorizationException.class, e, broker.target + ": " + e);
        }
        try (FerroKafkaConsumer<String, String> c =
                new FerroKafkaConsumer<>(broker.consumer("bob", "bob-secret", "g-" + topic))) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            RuntimeException failure = null;
            while (failure == null && System.nanoTime() < deadline) {
                try {
                    assertTrue(c.poll(Duration.ofMillis(500)).isEmpty(), "bob must read nothing");
                } catch (AuthorizationException e) {
                    failure = e; // Group- or TopicAuthorizationException, as kafka-clients throws
                }
            }
            assertNotNull(failure, broker.target + ": bob's poll never failed");
        }
    }

    @Test
    void tlsSettingsTheBrokerCannotMeetAreAnSslAuthenticationException() {
        // kafka-clients' ssl.enabled.protocols / ssl.cipher.suites reach the core: the harness's
        // keystore is EC, so a TLS 1.2 client offering only an RSA suite shares nothing with it.
        java.util.Map<String, Object> props = broker.producer("alice", "alice-secret", broker.ca);
        props.put("ssl.enabled.protocols", List.of("TLSv1.2"));
        props.put("ssl.cipher.suites", List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(props)) {
            Throwable e = sendFailure(p, TestCluster.topic("sec-java-suites"));
            assertInstanceOf(SslAuthenticationException.class, e, broker.target + ": " + e);
            assertTrue(e.getMessage().contains("ssl.cipher.suites"), e.getMessage());
        }
    }

    @Test
    void untrustedCaIsAnSslAuthenticationException() {
        try (FerroKafkaProducer<String, String> p =
                new FerroKafkaProducer<>(broker.producer("alice", "alice-secret", broker.untrustedCa))) {
            Throwable e = sendFailure(p, TestCluster.topic("sec-java-tls"));
            assertInstanceOf(SslAuthenticationException.class, e, broker.target + ": " + e);
            assertTrue(e.getMessage().contains(broker.untrustedCa), "names the CA file: " + e.getMessage());
        }
    }
}

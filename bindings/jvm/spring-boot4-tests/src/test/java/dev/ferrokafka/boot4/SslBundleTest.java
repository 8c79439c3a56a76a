// Spring Boot 4 SSL bundles on the starter: spring.kafka.ssl.bundle naming a PEM bundle and a
// PKCS12 (JKS-style) bundle, each mapped onto the core's inline PEM settings, against our
// broker's SASL_SSL listener that requires a client certificate (SecureKafkaProcess), so the
// handshake proves both the trust store and the key store (private key + chain) crossed over.
// A bundle that cannot be mapped (here: a key alias the store does not hold) stops startup with
// a message naming the problem. Our clients only: skipped in ci.sh's Apache pass.
package dev.ferrokafka.boot4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.ferrokafka.spring.FerroKafkaConsumerFactory;
import dev.ferrokafka.spring.FerroKafkaProducerFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SslBundleTest {
    private static SecureKafkaProcess broker;

    @TempDir
    static Path dir;

    /** No component scan: only Boot's auto-configuration (and so the starter's). */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {}

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(System.getProperty("ferrokafka.apache.bootstrap", "").isEmpty(),
                "SSL bundles on our clients: not part of the Apache drop-in pass");
        broker = SecureKafkaProcess.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static List<String> common(String... bundle) {
        List<String> p = new ArrayList<>(List.of(
                "logging.level.root=warn",
                "spring.kafka.bootstrap-servers=" + broker.bootstrap,
                "spring.kafka.security.protocol=SASL_SSL",
                "spring.kafka.properties.sasl.mechanism=SCRAM-SHA-512",
                "spring.kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"alice\" password=\"alice-secret\";",
                "spring.kafka.producer.properties.max.block.ms=60000",
                "spring.kafka.ssl.bundle=kafka"));
        p.addAll(List.of(bundle));
        return p;
    }

    /**
     * As command-line arguments, which outrank system properties: another test class's embedded
     * broker in this JVM leaves spring.kafka.bootstrap-servers set as one.
     */
    private static ConfigurableApplicationContext run(List<String> properties) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .run(properties.stream().map(p -> "--" + p).toArray(String[]::new));
    }

    /** Sends one record through KafkaTemplate and reads it back with the consumer factory. */
    @SuppressWarnings("unchecked")
    private static void roundTrip(ConfigurableApplicationContext ctx) throws Exception {
        assertInstanceOf(FerroKafkaProducerFactory.class, ctx.getBean(ProducerFactory.class));
        ConsumerFactory<String, String> cf = ctx.getBean(ConsumerFactory.class);
        assertInstanceOf(FerroKafkaConsumerFactory.class, cf);
        assertFalse(cf.getConfigurationProperties().containsKey("ssl.engine.factory.class"),
                "the bundle's SSLEngine factory is replaced by PEM settings");
        String topic = "bundle-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaTemplate<String, String> template = ctx.getBean(KafkaTemplate.class);
        template.send(topic, 0, "k", "over-tls").get(90, TimeUnit.SECONDS);
        try (Consumer<String, String> c = cf.createConsumer()) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            assertEquals(List.of("over-tls"), values);
        }
    }

    @Test
    void pemBundle() throws Exception {
        try (ConfigurableApplicationContext ctx = run(common(
                "spring.ssl.bundle.pem.kafka.truststore.certificate=file:" + broker.ca,
                "spring.ssl.bundle.pem.kafka.keystore.certificate=file:" + broker.clientCert,
                "spring.ssl.bundle.pem.kafka.keystore.private-key=file:" + broker.clientKey))) {
            roundTrip(ctx);
        }
    }

    @Test
    void pkcs12Bundle() throws Exception {
        Path trust = dir.resolve("trust.p12");
        Path keys = dir.resolve("client.p12");
        writePkcs12Stores(trust, keys, "changeit");
        try (ConfigurableApplicationContext ctx = run(common(
                "spring.ssl.bundle.jks.kafka.truststore.location=file:" + trust,
                "spring.ssl.bundle.jks.kafka.truststore.type=PKCS12",
                "spring.ssl.bundle.jks.kafka.truststore.password=changeit",
                "spring.ssl.bundle.jks.kafka.keystore.location=file:" + keys,
                "spring.ssl.bundle.jks.kafka.keystore.type=PKCS12",
                "spring.ssl.bundle.jks.kafka.keystore.password=changeit"))) {
            roundTrip(ctx);
        }
    }

    @Test
    void unmappableBundleIsAClearStartupError() throws Exception {
        Path trust = dir.resolve("trust-2.p12");
        Path keys = dir.resolve("client-2.p12");
        writePkcs12Stores(trust, keys, "changeit");
        // The store holds the key under "client": a bundle asking for another alias cannot be mapped.
        Exception e = assertThrows(Exception.class, () -> run(common(
                "spring.ssl.bundle.jks.kafka.truststore.location=file:" + trust,
                "spring.ssl.bundle.jks.kafka.truststore.type=PKCS12",
                "spring.ssl.bundle.jks.kafka.truststore.password=changeit",
                "spring.ssl.bundle.jks.kafka.keystore.location=file:" + keys,
                "spring.ssl.bundle.jks.kafka.keystore.type=PKCS12",
                "spring.ssl.bundle.jks.kafka.keystore.password=changeit",
                "spring.ssl.bundle.jks.kafka.key.alias=nope")).close());
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertInstanceOf(IllegalStateException.class, root, String.valueOf(root));
        assertTrue(root.getMessage().contains("no private key under the alias 'nope'"), root.getMessage());
        assertTrue(root.getMessage().contains("spring.kafka.ssl."), root.getMessage());
    }

    /** The harness's PEM CA, client certificate and PKCS#8 key as PKCS12 trust and key stores. */
    private static void writePkcs12Stores(Path trust, Path keys, String password) throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        Certificate ca = x509.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Path.of(broker.ca))));
        List<Certificate> chain = new ArrayList<>(x509.generateCertificates(
                new ByteArrayInputStream(Files.readAllBytes(Path.of(broker.clientCert)))));
        String pem = Files.readString(Path.of(broker.clientKey));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = null;
        for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
            try {
                key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                break;
            } catch (Exception tryNext) {
                // not this algorithm
            }
        }
        assertTrue(key != null, "the harness's client key is PKCS#8 EC, RSA or Ed25519");
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", ca);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", key, password.toCharArray(), chain.toArray(Certificate[]::new));
        try (OutputStream out = Files.newOutputStream(trust)) {
            ts.store(out, password.toCharArray());
        }
        try (OutputStream out = Files.newOutputStream(keys)) {
            ks.store(out, password.toCharArray());
        }
    }
}

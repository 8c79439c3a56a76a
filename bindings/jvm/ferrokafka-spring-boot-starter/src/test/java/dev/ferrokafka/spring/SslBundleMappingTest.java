// Spring Boot 3.5's SSL bundle path: spring.kafka.ssl.bundle naming a PKCS12 bundle (stores made
// by the JDK's keytool) reaches the starter's factories and admin as the core's inline PEM
// settings (the trust store's certificate, the private key and its chain, byte for byte), with
// Boot's SSLEngine factory and bundle object removed. No broker is needed: the settings are
// checked where the factories hand them to our clients. (SslBundleTest in spring-boot4-tests
// runs the same mapping over TLS against our broker on Boot 4.) Skipped in ci.sh's Apache pass.
package dev.ferrokafka.spring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;

class SslBundleMappingTest {

    /** No component scan: only Boot's auto-configuration (and so the starter's). */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {}

    @TempDir
    Path dir;

    private void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool timed out");
        assertEquals(0, p.exitValue(), "keytool " + String.join(" ", args) + ": " + out);
    }

    private static byte[] der(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    @Test
    void pkcs12BundleBecomesInlinePem() throws Exception {
        assumeTrue(System.getProperty("ferrokafka.apache.bootstrap", "").isEmpty(),
                "our factories' settings: not part of the Apache drop-in pass");
        keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=client",
                "-validity", "2", "-keystore", "client.p12", "-storetype", "PKCS12", "-storepass", "changeit");
        keytool("-exportcert", "-alias", "client", "-keystore", "client.p12", "-storepass", "changeit", "-rfc",
                "-file", "client.crt");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "client.crt", "-keystore", "trust.p12",
                "-storetype", "PKCS12", "-storepass", "changeit");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
            ks.load(in, "changeit".toCharArray());
        }
        byte[] key = ks.getKey("client", "changeit".toCharArray()).getEncoded();
        byte[] cert = ks.getCertificate("client").getEncoded();

        // Command-line arguments outrank the system property another test class's embedded
        // broker in this JVM leaves behind (spring.kafka.bootstrap-servers).
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .run("--logging.level.root=warn",
                        "--spring.kafka.bootstrap-servers=127.0.0.1:9",
                        "--spring.kafka.security.protocol=SSL",
                        "--spring.kafka.ssl.bundle=kafka",
                        "--spring.ssl.bundle.jks.kafka.truststore.location=file:" + dir.resolve("trust.p12"),
                        "--spring.ssl.bundle.jks.kafka.truststore.type=PKCS12",
                        "--spring.ssl.bundle.jks.kafka.truststore.password=changeit",
                        "--spring.ssl.bundle.jks.kafka.keystore.location=file:" + dir.resolve("client.p12"),
                        "--spring.ssl.bundle.jks.kafka.keystore.type=PKCS12",
                        "--spring.ssl.bundle.jks.kafka.keystore.password=changeit")) {
            assertInstanceOf(FerroKafkaProducerFactory.class, ctx.getBean(ProducerFactory.class));
            List<Map<String, Object>> configs = List.of(
                    ctx.getBean(ProducerFactory.class).getConfigurationProperties(),
                    ctx.getBean(ConsumerFactory.class).getConfigurationProperties(),
                    ctx.getBean(KafkaAdmin.class).getConfigurationProperties());
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            for (Map<String, Object> c : configs) {
                assertFalse(c.containsKey("ssl.engine.factory.class"), c.keySet().toString());
                assertFalse(c.containsKey("org.springframework.boot.ssl.SslBundle"), c.keySet().toString());
                assertEquals("PEM", c.get("ssl.truststore.type"));
                assertEquals("PEM", c.get("ssl.keystore.type"));
                String trusted = (String) c.get("ssl.truststore.certificates");
                assertArrayEquals(cert, x509.generateCertificate(
                        new ByteArrayInputStream(trusted.getBytes(StandardCharsets.US_ASCII))).getEncoded());
                String chain = (String) c.get("ssl.keystore.certificate.chain");
                assertArrayEquals(cert, x509.generateCertificate(
                        new ByteArrayInputStream(chain.getBytes(StandardCharsets.US_ASCII))).getEncoded());
                String pem = (String) c.get("ssl.keystore.key");
                assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8 PEM");
                assertArrayEquals(key, der(pem));
            }
        }
    }
}

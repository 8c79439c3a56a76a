// A broker with a SASL_SSL listener (SCRAM-SHA-512/256 and PLAIN users, StandardAuthorizer) for
// the security tests, started once per test JVM by tests/harness/secure_kafka.py: our broker
// (FERROKAFKA_BIN, default target/release/ferrokafka) in the normal run, a real Apache Kafka in
// ci.sh's Apache pass (-Dferrokafka.bootstrap given). Users: alice may use every topic and group,
// bob has no ACL (passwords "<name>-secret"). The harness stops the broker when its stdin closes.
package dev.ferrokafka.clients;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

final class SecureBroker implements AutoCloseable {
    private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\": \"([^\"]*)\"");

    final String target;
    final String bootstrap;
    final String ca;
    final String untrustedCa;
    private final Process process;

    private SecureBroker(String target, Process process, Map<String, String> fields) {
        this.target = target;
        this.process = process;
        this.bootstrap = fields.get("bootstrap");
        this.ca = fields.get("ca");
        this.untrustedCa = fields.get("untrusted_ca");
    }

    /** Ours, unless this is the run against Apache Kafka (ci.sh passes -Dferrokafka.bootstrap). */
    static SecureBroker start() throws IOException {
        String target = System.getProperty("ferrokafka.bootstrap", "").isEmpty() ? "ferrokafka" : "apache";
        Path root = repositoryRoot();
        ProcessBuilder pb = new ProcessBuilder(python(), root.resolve("tests/harness/secure_kafka.py").toString(),
                "--target", target);
        pb.directory(root.toFile());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> fields = new HashMap<>();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("SECURE ")) {
                Matcher m = FIELD.matcher(line);
                while (m.find()) {
                    fields.putIfAbsent(m.group(1), m.group(2));
                }
            }
            if (line.startsWith("READY ")) {
                break;
            }
        }
        if (line == null || !fields.containsKey("bootstrap")) {
            p.destroyForcibly();
            throw new IllegalStateException("secure_kafka.py --target " + target
                    + " exited before SECURE/READY (see its stderr above)");
        }
        // Keep draining stdout so the harness never blocks on a full pipe.
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // nothing to do
                }
            } catch (IOException ignored) {
                // the harness went away
            }
        }, "secure-broker-stdout");
        drain.setDaemon(true);
        drain.start();
        return new SecureBroker(target, p, fields);
    }

    private static Path repositoryRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("tests/harness/secure_kafka.py"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("tests/harness/secure_kafka.py not found above " + Paths.get("").toAbsolutePath());
        }
        return dir;
    }

    /** The CI venv's Python (it has `cryptography`, which the harness makes certificates with). */
    private static String python() {
        String explicit = System.getenv("FERROKAFKA_PYTHON");
        if (explicit != null && !explicit.isEmpty()) {
            return explicit;
        }
        String cache = System.getenv("FERROKAFKA_CACHE");
        Path base = cache != null && !cache.isEmpty() ? Paths.get(cache) : Paths.get(System.getProperty("user.home"), ".cache", "ferrokafka");
        Path venv = base.resolve("venv/bin/python");
        return Files.isExecutable(venv) ? venv.toString() : "python3";
    }

    /** SASL_SSL settings as a Java operator writes them: JAAS line and a PEM truststore. */
    Map<String, Object> security(String user, String password, String caFile) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", caFile);
        return p;
    }

    Map<String, Object> producer(String user, String password, String caFile) {
        Map<String, Object> p = security(user, password, caFile);
        p.put("key.serializer", StringSerializer.class);
        p.put("value.serializer", StringSerializer.class);
        p.put("max.block.ms", 30000);
        p.put("delivery.timeout.ms", 45000);
        p.put("request.timeout.ms", 15000);
        return p;
    }

    Map<String, Object> consumer(String user, String password, String group) {
        Map<String, Object> p = security(user, password, ca);
        p.put("key.deserializer", StringDeserializer.class);
        p.put("value.deserializer", StringDeserializer.class);
        p.put("auto.offset.reset", "earliest");
        p.put("group.id", group);
        return p;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

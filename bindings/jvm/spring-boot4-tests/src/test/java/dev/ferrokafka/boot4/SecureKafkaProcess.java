// Our broker with a SASL_SSL listener that requires client certificates, for SslBundleTest:
// tests/harness/secure_kafka.py --target ferrokafka --property ssl.client.auth=required
// (FERROKAFKA_BIN, default target/release/ferrokafka), started once per test class. Reads the
// harness's SECURE line (bootstrap, CA, client certificate and key files); the harness stops
// the broker when its stdin closes.
package dev.ferrokafka.boot4;

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

final class SecureKafkaProcess implements AutoCloseable {
    private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\": \"([^\"]*)\"");

    final String bootstrap;
    final String ca;
    final String clientCert;
    final String clientKey;
    private final Process process;

    private SecureKafkaProcess(Process process, Map<String, String> fields) {
        this.process = process;
        this.bootstrap = fields.get("bootstrap");
        this.ca = fields.get("ca");
        this.clientCert = fields.get("client_cert");
        this.clientKey = fields.get("client_key");
    }

    static SecureKafkaProcess start() throws IOException {
        Path root = repositoryRoot();
        ProcessBuilder pb = new ProcessBuilder(python(), root.resolve("tests/harness/secure_kafka.py").toString(),
                "--target", "ferrokafka", "--property", "ssl.client.auth=required");
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
        if (line == null || !fields.containsKey("bootstrap") || !fields.containsKey("client_key")) {
            p.destroyForcibly();
            throw new IllegalStateException("secure_kafka.py exited before SECURE/READY (see its stderr above)");
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the harness's stdout pipe from filling up
                }
            } catch (IOException ignored) {
                // the harness went away
            }
        }, "secure-kafka-stdout");
        drain.setDaemon(true);
        drain.start();
        return new SecureKafkaProcess(p, fields);
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

    /** The CI venv's Python (the harness makes its certificates with `cryptography`). */
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

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

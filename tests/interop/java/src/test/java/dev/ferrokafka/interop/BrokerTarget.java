package dev.ferrokafka.interop;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The broker under test, started by tests/harness/target.py (FERROKAFKA_TEST_TARGET=ferrokafka|apache).
 * The harness prints "READY &lt;bootstrap&gt;" and stops the broker when its stdin closes.
 * Owns only process plumbing; no scenarios here.
 */
final class BrokerTarget implements AutoCloseable {
    private final Process process;
    private final String bootstrap;

    private BrokerTarget(Process process, String bootstrap) {
        this.process = process;
        this.bootstrap = bootstrap;
    }

    static BrokerTarget start() throws IOException {
        String harness = System.getProperty("ferrokafka.harness", "../../harness");
        String python = System.getenv().getOrDefault("PYTHON", "python3");
        Process process = new ProcessBuilder(python, new File(harness, "target.py").getPath())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                return new BrokerTarget(process, line.substring("READY ".length()).trim());
            }
        }
        throw new IOException("target.py exited before printing READY (exit " + waitQuietly(process) + ")");
    }

    String bootstrap() {
        return bootstrap;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroy();
        }
    }

    private static int waitQuietly(Process p) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}

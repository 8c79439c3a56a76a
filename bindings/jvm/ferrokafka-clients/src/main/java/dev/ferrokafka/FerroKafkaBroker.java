// The bundled ferrokafka broker running in this JVM through JNI, for tests: starts in
// milliseconds on 127.0.0.1 with its data in a temporary directory (deleted on close).
package dev.ferrokafka.clients;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.ferrokafka.clients.internal.Native;
import dev.ferrokafka.clients.internal.NativeHandle;

public final class FerroKafkaBroker extends NativeHandle {
    private final Path dataDir;
    private final boolean ownsDir;
    private final String bootstrap;

    private FerroKafkaBroker(long h, Path dataDir, boolean ownsDir) {
        super(h);
        this.dataDir = dataDir;
        this.ownsDir = ownsDir;
        this.bootstrap = Native.brokerBootstrap(h);
    }

    /** Starts a broker on 127.0.0.1 with a free port and Kafka-named broker properties. */
    public static FerroKafkaBroker start(Map<String, String> brokerProperties) {
        return start(0, brokerProperties, null);
    }

    /** Starts a broker on 127.0.0.1:`port` (0 = any free port); `dataDir` null = a temporary one. */
    public static FerroKafkaBroker start(int port, Map<String, String> brokerProperties, Path dataDir) {
        Native.init();
        boolean owns = dataDir == null;
        Path dir;
        try {
            dir = owns ? Files.createTempDirectory("ferrokafka-broker") : dataDir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the broker's data directory: " + e, e);
        }
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        brokerProperties.forEach((k, v) -> {
            keys.add(k);
            values.add(v);
        });
        long h = Native.brokerStart(dir.toString(), "127.0.0.1:" + port, keys.toArray(new String[0]),
                values.toArray(new String[0]));
        return new FerroKafkaBroker(h, dir, owns);
    }

    /** `host:port` for bootstrap.servers. */
    public String bootstrapServers() {
        return bootstrap;
    }

    public int port() {
        long h = enter("the broker is closed");
        try {
            return Native.brokerPort(h);
        } finally {
            exit();
        }
    }

    /** Stops the broker (blocking until its logs are closed) and deletes a temporary data dir. */
    @Override
    public void close() {
        long h = markClosing();
        if (h == 0) {
            return;
        }
        Native.brokerStop(h);
        freeHandle(5000);
        if (ownsDir) {
            try (Stream<Path> s = Files.walk(dataDir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temporary directory
            }
        }
    }

    @Override
    protected void free(long h) {
        Native.brokerFree(h);
    }
}

// Loads the ferrokafka JNI library once per class loader, thread-safely: first from
// java.library.path (System.loadLibrary), then from the JAR resource /native/<os>-<arch>/,
// copied to a temporary file and System.load-ed.
package dev.ferrokafka.clients.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

public final class NativeLibrary {
    private static final String NAME = "ferrokafka_jni";
    private static volatile boolean loaded;

    private NativeLibrary() {}

    /** Loads the library if this class loader has not yet; throws if it cannot be found. */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (NativeLibrary.class) {
            if (loaded) {
                return;
            }
            try {
                System.loadLibrary(NAME);
            } catch (UnsatisfiedLinkError notOnPath) {
                loadFromJar(notOnPath);
            }
            loaded = true;
        }
    }

    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("mac") || os.contains("darwin") ? "macos" : os.contains("win") ? "windows" : "linux";
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }

    private static void loadFromJar(UnsatisfiedLinkError notOnPath) {
        String file = System.mapLibraryName(NAME);
        String resource = "/native/" + platform() + "/" + file;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                UnsatisfiedLinkError e = new UnsatisfiedLinkError(
                        "ferrokafka: no native library for " + platform() + " (looked for " + resource
                                + " in the JAR and " + NAME + " on java.library.path)");
                e.addSuppressed(notOnPath);
                throw e;
            }
            Path dir = Files.createTempDirectory("ferrokafka-jni");
            Path lib = dir.resolve(file);
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            lib.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            System.load(lib.toAbsolutePath().toString());
        } catch (IOException e) {
            UnsatisfiedLinkError err = new UnsatisfiedLinkError("ferrokafka: cannot unpack " + resource + ": " + e);
            err.initCause(e);
            throw err;
        }
    }
}

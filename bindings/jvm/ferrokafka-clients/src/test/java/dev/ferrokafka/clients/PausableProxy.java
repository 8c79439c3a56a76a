// A TCP proxy in front of a broker whose answers can be held back: pause() stops forwarding
// broker-to-client bytes (requests still arrive), resume() delivers what was held. Lets a test
// make a broker that cannot keep up, for any client (ours or kafka-clients' KafkaProducer).
package dev.ferrokafka.clients;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

final class PausableProxy implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean paused;

    /** Binds a free loopback port (known before the broker behind it starts). */
    PausableProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    int port() {
        return server.getLocalPort();
    }

    /** Starts forwarding every accepted connection to 127.0.0.1:`targetPort`. */
    void start(int targetPort) {
        daemon("proxy-accept", () -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    sockets.add(client);
                    sockets.add(broker);
                    daemon("proxy-up", () -> pump(client, broker, false));
                    daemon("proxy-down", () -> pump(broker, client, true));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    void pause() {
        synchronized (gate) {
            paused = true;
        }
    }

    void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    private void pump(Socket from, Socket to, boolean gated) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (gated) {
                    synchronized (gate) {
                        while (paused) {
                            gate.wait();
                        }
                    }
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the other side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        resume();
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}

// The shapes program: one kafka-clients program (admin, producer, consumer parts) whose
// observable results are recorded into a Shapes map. It is run once with Apache's clients and
// once with ferrokafka's (ClientShapesTest), against the same broker, on topics of its own.
package dev.ferrokafka.clients.shapes;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;

public final class ShapesProgram {
    private ShapesProgram() {}

    private static void lap(String what, long start) {
        System.out.printf("shapes: %s done after %d ms%n", what, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Runs the program. `noAutoCreateBootstrap` is a broker with auto.create.topics.enable=false
     * (for sends to an unknown topic); `run` names this run's topics and group.
     */
    public static Map<String, String> run(Clients clients, String bootstrap, String noAutoCreateBootstrap, String run)
            throws Exception {
        Shapes out = new Shapes(run);
        Topics t = new Topics(run);
        Admin admin = clients.admin(Map.of("bootstrap.servers", bootstrap, "client.id", "shapes-admin"));
        try {
            AdminShapes a = new AdminShapes(admin, out);
            long start = System.nanoTime();
            a.createTopics(t);
            lap("createTopics", start);
            new ProducerShapes(clients, out, bootstrap).run(t, noAutoCreateBootstrap);
            lap("producer", start);
            ConsumerShapes c = new ConsumerShapes(clients, out, bootstrap);
            String group = "shapes-" + run + "-g";
            c.group(t, group, () -> {
                try {
                    a.activeGroup(group);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            lap("group", start);
            a.closedGroup(group);
            c.standalone(t);
            lap("standalone", start);
            a.topics(t);
            a.configs(t);
            a.partitionsAndRecords(t);
            lap("admin", start);
        } catch (Exception | AssertionError e) {
            // Kept in the map (so the comparison shows where a run stopped) and in the log.
            e.printStackTrace();
            out.put("program.failed", Shapes.describe(e));
        } finally {
            admin.close(Duration.ofSeconds(30));
        }
        out.error("admin.closed.listTopics", () -> AdminShapes.get(admin.listTopics().names()));
        out.error("admin.closed.describeTopics", () -> AdminShapes.get(admin.describeTopics(List.of(t.main)).allTopicNames()));
        return out.finish();
    }
}

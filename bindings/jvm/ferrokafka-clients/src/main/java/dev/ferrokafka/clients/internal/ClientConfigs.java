// Java client properties to the core's: the keys the core implements, as strings (lists
// joined with commas, assignor classes as the core's names). Keys the core does not implement
// (serializers, interceptors, metric reporters...) stay in Java, as KafkaProducer/KafkaConsumer
// ignore configs they do not use.
package dev.ferrokafka.clients.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class ClientConfigs {
    private ClientConfigs() {}

    private static final Set<String> COMMON = Set.of(
            "bootstrap.servers", "client.id", "client.rack", "request.timeout.ms", "metadata.max.age.ms",
            "reconnect.backoff.ms", "reconnect.backoff.max.ms", "retry.backoff.ms", "retry.backoff.max.ms",
            "socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms",
            "connections.max.idle.ms", "default.api.timeout.ms", "metrics.num.samples",
            "metrics.sample.window.ms", "security.protocol",
            // TLS (PEM stores) and SASL, as kafka-clients and Spring Boot's spring.kafka.ssl.* /
            // spring.kafka.properties.sasl.* produce them.
            "ssl.truststore.location", "ssl.truststore.type", "ssl.truststore.certificates",
            "ssl.keystore.location", "ssl.keystore.type", "ssl.keystore.certificate.chain",
            "ssl.keystore.key", "ssl.endpoint.identification.algorithm", "ssl.protocol",
            "ssl.enabled.protocols", "ssl.cipher.suites", "sasl.mechanism", "sasl.jaas.config");

    public static final Set<String> PRODUCER = union(COMMON, Set.of(
            "acks", "batch.size", "linger.ms", "buffer.memory", "max.block.ms", "max.request.size",
            "compression.type", "compression.gzip.level", "compression.zstd.level", "retries",
            "delivery.timeout.ms", "max.in.flight.requests.per.connection", "enable.idempotence",
            "partitioner.ignore.keys"));

    public static final Set<String> CONSUMER = union(COMMON, Set.of(
            "group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms",
            "max.poll.interval.ms", "auto.offset.reset", "enable.auto.commit", "auto.commit.interval.ms",
            "fetch.min.bytes", "fetch.max.bytes", "max.partition.fetch.bytes", "fetch.max.wait.ms",
            "max.poll.records", "partition.assignment.strategy", "isolation.level", "check.crcs"));

    public static final Set<String> ADMIN = COMMON;

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }

    /** `[keys, values]` of the properties in `supported`, as the core's strings. */
    public static String[][] forCore(Map<String, ?> props, Set<String> supported) {
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, ?> e : props.entrySet()) {
            if (e.getValue() == null || !supported.contains(e.getKey())) {
                continue;
            }
            keys.add(e.getKey());
            values.add(e.getKey().equals("partition.assignment.strategy")
                    ? assignors(e.getValue()) : text(e.getValue()));
        }
        return new String[][] {keys.toArray(new String[0]), values.toArray(new String[0])};
    }

    static String text(Object v) {
        if (v != null && v.getClass().getName().equals("org.apache.kafka.common.config.types.Password")) {
            // kafka-clients' Password prints "[hidden]"; its value() is the secret itself.
            try {
                return String.valueOf(v.getClass().getMethod("value").invoke(v));
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("cannot read a Password config value", e);
            }
        }
        if (v instanceof Class<?> c) {
            return c.getName();
        }
        if (v instanceof Collection<?> c) {
            List<String> parts = new ArrayList<>();
            for (Object o : c) {
                parts.add(text(o));
            }
            return String.join(",", parts);
        }
        return String.valueOf(v).trim();
    }

    private static String assignors(Object v) {
        List<String> out = new ArrayList<>();
        for (String name : text(v).split(",")) {
            String n = name.trim();
            String simple = n.substring(n.lastIndexOf('.') + 1);
            out.add(switch (simple) {
                case "RangeAssignor" -> "range";
                case "RoundRobinAssignor" -> "roundrobin";
                case "StickyAssignor" -> "sticky";
                case "CooperativeStickyAssignor" -> "cooperative-sticky";
                default -> n;
            });
        }
        return String.join(",", out);
    }

    /** A metric key/value map as kafka-clients Metrics (group `group`, tag client-id). */
    public static Map<org.apache.kafka.common.MetricName, org.apache.kafka.common.Metric> metrics(
            byte[] batch, String group, String clientId) {
        Codec.Reader r = new Codec.Reader(batch);
        int n = r.i32();
        Map<org.apache.kafka.common.MetricName, org.apache.kafka.common.Metric> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = r.str();
            double value = r.f64();
            org.apache.kafka.common.MetricName mn = new org.apache.kafka.common.MetricName(
                    name, group, "", Map.of("client-id", clientId));
            out.put(mn, new org.apache.kafka.common.Metric() {
                @Override
                public org.apache.kafka.common.MetricName metricName() {
                    return mn;
                }

                @Override
                public Object metricValue() {
                    return value;
                }
            });
        }
        return out;
    }
}

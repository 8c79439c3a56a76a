// The Java side of the core's cross-client tests (core/tests/cross_client_*.rs).
//
// Owns: producing and consuming with Apache Kafka's own kafka-clients as the Rust test tells it,
// and reporting what happened as one JSON object per line on stdout (other lines, such as log
// output, are ignored by the reader). It must not decide whether a test passed: the Rust test
// compares. Launched as a single-file program (JDK 17):
//
//   java -cp "<kafka libs>/*" CoreInterop.java <mode> <bootstrap> <topic> [args...]
//
// Modes:
//   produce <bootstrap> <topic>
//       Reads records from stdin, one per line, tab-separated, bytes in hex, "-" for null/none:
//         <compression> <partition|-> <key|-> <value|-> <timestamp|-> <headers|->
//       where headers are "name=hex|-" joined by ",". Sends them in order with one producer per
//       compression type (acks=all, idempotent), flushes, and prints {"i":n,"partition":p,"offset":o,"timestamp":t} per record, then {"done":n}.
//   consume <bootstrap> <topic> <count>
//       Assigns every partition from the beginning and prints each record as
//       {"partition":p,"offset":o,"timestamp":t,"timestamp_type":"CreateTime","key":hex|null,
//        "value":hex|null,"headers":[["name",hex|null],...]} until <count> arrived (or 60 s
//       passed), then {"done":n}.
//   group <bootstrap> <topic> <group id> <assignor> <client id>
//       Subscribes in a consumer group with the given partition.assignment.strategy (range,
//       roundrobin, cooperative-sticky), commits synchronously after every non-empty poll, prints
//       {"event":"assigned"|"revoked"|"lost","partitions":[...]} from the rebalance listener and
//       {"partition":p,"offset":o,"value":hex} per record. Stops on a "stop" line or EOF on stdin:
//       closes the consumer (leaving the group) and prints {"event":"closed"}.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class CoreInterop {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: CoreInterop <produce|consume|group> <bootstrap> <topic> [args...]");
        }
        switch (args[0]) {
            case "produce" -> produce(args[1], args[2]);
            case "consume" -> consume(args[1], args[2], Integer.parseInt(args[3]));
            case "group" -> group(args[1], args[2], args[3], args[4], args[5]);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
    }

    static void emit(String json) {
        System.out.println(json);
        System.out.flush();
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "java-core-interop");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    static void produce(String bootstrap, String topic) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        Map<String, KafkaProducer<byte[], byte[]>> producers = new HashMap<>();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] all = line.split("\t", -1);
                KafkaProducer<byte[], byte[]> producer =
                        producers.computeIfAbsent(all[0], c -> producer(bootstrap, c));
                String[] f = Arrays.copyOfRange(all, 1, all.length);
                Integer partition = f[0].equals("-") ? null : Integer.valueOf(f[0]);
                byte[] key = unhex(f[1]);
                byte[] value = unhex(f[2]);
                Long timestamp = f[3].equals("-") ? null : Long.valueOf(f[3]);
                RecordHeaders headers = new RecordHeaders();
                if (!f[4].equals("-")) {
                    for (String h : f[4].split(",")) {
                        int eq = h.indexOf('=');
                        headers.add(h.substring(0, eq), unhex(h.substring(eq + 1)));
                    }
                }
                sent.add(producer.send(new ProducerRecord<>(topic, partition, timestamp, key, value, headers)));
            }
            for (KafkaProducer<byte[], byte[]> producer : producers.values()) {
                producer.flush();
            }
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata md = sent.get(i).get();
                emit("{\"i\":" + i + ",\"partition\":" + md.partition() + ",\"offset\":" + md.offset()
                        + ",\"timestamp\":" + md.timestamp() + "}");
            }
        } finally {
            for (KafkaProducer<byte[], byte[]> producer : producers.values()) {
                producer.close();
            }
        }
        emit("{\"done\":" + sent.size() + "}");
    }

    static Properties consumerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    static void consume(String bootstrap, String topic, int count) {
        Properties p = consumerProps(bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "java-core-interop-reader");
        int got = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got < count && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    got++;
                    StringBuilder hs = new StringBuilder("[");
                    for (Header h : r.headers()) {
                        if (hs.length() > 1) {
                            hs.append(',');
                        }
                        hs.append("[\"").append(escape(h.key())).append("\",").append(hexOrNull(h.value())).append(']');
                    }
                    hs.append(']');
                    emit("{\"partition\":" + r.partition() + ",\"offset\":" + r.offset() + ",\"timestamp\":"
                            + r.timestamp() + ",\"timestamp_type\":\"" + r.timestampType().name + "\",\"key\":"
                            + hexOrNull(r.key()) + ",\"value\":" + hexOrNull(r.value()) + ",\"headers\":" + hs + "}");
                }
            }
        }
        emit("{\"done\":" + got + "}");
    }

    static void group(String bootstrap, String topic, String groupId, String assignor, String clientId) throws Exception {
        Properties p = consumerProps(bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // Java takes class names; the protocol names (what JoinGroup carries) are the same as ours.
        String assignorClass = switch (assignor) {
            case "range" -> RangeAssignor.class.getName();
            case "roundrobin" -> RoundRobinAssignor.class.getName();
            case "sticky" -> StickyAssignor.class.getName();
            case "cooperative-sticky" -> CooperativeStickyAssignor.class.getName();
            default -> assignor;
        };
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignorClass);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        AtomicBoolean stop = new AtomicBoolean(false);
        Thread stdin = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.trim().equals("stop")) {
                        break;
                    }
                }
            } catch (Exception ignored) {
                // EOF or a closed pipe both mean stop.
            }
            stop.set(true);
        });
        stdin.setDaemon(true);
        stdin.start();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    emit("{\"event\":\"revoked\",\"partitions\":" + list(partitions) + "}");
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    emit("{\"event\":\"assigned\",\"partitions\":" + list(partitions) + "}");
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    emit("{\"event\":\"lost\",\"partitions\":" + list(partitions) + "}");
                }
            });
            while (!stop.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    emit("{\"partition\":" + r.partition() + ",\"offset\":" + r.offset() + ",\"value\":"
                            + hexOrNull(r.value()) + "}");
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        }
        emit("{\"event\":\"closed\"}");
    }

    static String list(Collection<TopicPartition> partitions) {
        return partitions.stream().map(tp -> Integer.toString(tp.partition())).sorted()
                .collect(Collectors.joining(",", "[", "]"));
    }

    static byte[] unhex(String s) {
        if (s.equals("-")) {
            return null;
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static String hexOrNull(byte[] b) {
        if (b == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(b.length * 2 + 2).append('"');
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.append('"').toString();
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}

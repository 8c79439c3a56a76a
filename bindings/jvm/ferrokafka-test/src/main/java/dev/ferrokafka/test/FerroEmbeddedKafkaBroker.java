// spring-kafka-test's EmbeddedKafkaBroker backed by the bundled ferrokafka broker running
// in-process through JNI: same contract as EmbeddedKafkaKraftBroker (start on
// afterPropertiesSet, create the topics with getPartitionsPerTopic() partitions, publish the
// bootstrap address in the broker-list system property and spring.embedded.kafka.brokers,
// consumeFrom* helpers), so KafkaTestUtils and autowired-broker tests keep working.
package dev.ferrokafka.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.ferrokafka.clients.FerroKafkaAdmin;
import dev.ferrokafka.clients.FerroKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

public class FerroEmbeddedKafkaBroker implements EmbeddedKafkaBroker {
    private final int partitionsPerTopic;
    private final Set<String> topics = new LinkedHashSet<>();
    private final Map<String, String> brokerProperties = new HashMap<>();
    private int[] ports = {0};
    private String brokerListProperty = "spring.kafka.bootstrap-servers";
    private int adminTimeout = DEFAULT_ADMIN_TIMEOUT;
    private FerroKafkaBroker broker;

    /** One broker (count must be 1: the bundled broker is a single node), `partitions` per topic. */
    public FerroEmbeddedKafkaBroker(int count, int partitions, String... topics) {
        if (count != 1) {
            throw new IllegalArgumentException("the bundled ferrokafka broker is a single node: count must be 1, was " + count);
        }
        this.partitionsPerTopic = partitions;
        this.topics.addAll(Arrays.asList(topics));
    }

    public FerroEmbeddedKafkaBroker(int partitions, String... topics) {
        this(1, partitions, topics);
    }

    @Override
    public EmbeddedKafkaBroker kafkaPorts(int... ports) {
        if (ports.length != 1) {
            throw new IllegalArgumentException("one port for the single broker (0 = any free port)");
        }
        this.ports = ports.clone();
        return this;
    }

    @Override
    public EmbeddedKafkaBroker brokerProperties(Map<String, String> properties) {
        brokerProperties.putAll(properties);
        return this;
    }

    /** Adds one broker property (as EmbeddedKafkaKraftBroker.brokerProperty does). */
    public EmbeddedKafkaBroker brokerProperty(String property, Object value) {
        brokerProperties.put(property, String.valueOf(value));
        return this;
    }

    @Override
    public EmbeddedKafkaBroker brokerListProperty(String brokerListProperty) {
        this.brokerListProperty = brokerListProperty;
        return this;
    }

    @Override
    public EmbeddedKafkaBroker adminTimeout(int adminTimeout) {
        this.adminTimeout = adminTimeout;
        return this;
    }

    public void setAdminTimeout(int adminTimeout) {
        this.adminTimeout = adminTimeout;
    }

    @Override
    public synchronized void afterPropertiesSet() {
        if (broker != null) {
            return;
        }
        Map<String, String> props = new HashMap<>(brokerProperties);
        props.putIfAbsent("delete.topic.enable", "true");
        props.putIfAbsent("group.initial.rebalance.delay.ms", "0");
        props.putIfAbsent("num.partitions", String.valueOf(partitionsPerTopic));
        broker = FerroKafkaBroker.start(ports[0], props, null);
        if (!topics.isEmpty()) {
            createTopics(topics.stream().map(t -> new NewTopic(t, partitionsPerTopic, (short) 1)).toList(), true);
        }
        if (brokerListProperty != null) {
            System.setProperty(brokerListProperty, getBrokersAsString());
        }
        System.setProperty(SPRING_EMBEDDED_KAFKA_BROKERS, getBrokersAsString());
    }

    @Override
    public synchronized void destroy() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @Override
    public Set<String> getTopics() {
        return new LinkedHashSet<>(topics);
    }

    @Override
    public String getBrokersAsString() {
        if (broker == null) {
            throw new IllegalStateException(BROKER_NEEDED);
        }
        return broker.bootstrapServers();
    }

    @Override
    public int getPartitionsPerTopic() {
        return partitionsPerTopic;
    }

    /** Runs `callback` with an admin client connected to this broker. */
    public void doWithAdmin(java.util.function.Consumer<Admin> callback) {
        doWithAdminFunction(a -> {
            callback.accept(a);
            return null;
        });
    }

    /** Runs `callback` with an admin client connected to this broker and returns its result. */
    public <T> T doWithAdminFunction(Function<Admin, T> callback) {
        try (Admin admin = new FerroKafkaAdmin(Map.of("bootstrap.servers", getBrokersAsString()))) {
            return callback.apply(admin);
        }
    }

    @Override
    public void addTopics(String... topicsToAdd) {
        throwOnFailure(addTopicsWithResults(topicsToAdd));
    }

    @Override
    public void addTopics(NewTopic... topicsToAdd) {
        throwOnFailure(addTopicsWithResults(topicsToAdd));
    }

    @Override
    public Map<String, Exception> addTopicsWithResults(String... topicsToAdd) {
        return addTopicsWithResults(Arrays.stream(topicsToAdd)
                .map(t -> new NewTopic(t, partitionsPerTopic, (short) 1)).toArray(NewTopic[]::new));
    }

    @Override
    public Map<String, Exception> addTopicsWithResults(NewTopic... topicsToAdd) {
        for (NewTopic t : topicsToAdd) {
            if (topics.contains(t.name())) {
                throw new IllegalArgumentException("Topic '" + t.name() + "' already exists");
            }
        }
        return createTopics(List.of(topicsToAdd), false);
    }

    private static void throwOnFailure(Map<String, Exception> results) {
        for (Map.Entry<String, Exception> e : results.entrySet()) {
            if (e.getValue() != null) {
                throw new IllegalStateException("creating topic " + e.getKey() + " failed: " + e.getValue(), e.getValue());
            }
        }
    }

    private Map<String, Exception> createTopics(Collection<NewTopic> newTopics, boolean failFast) {
        Map<String, Exception> out = new LinkedHashMap<>();
        doWithAdmin(admin -> {
            var result = admin.createTopics(newTopics);
            for (NewTopic t : newTopics) {
                try {
                    result.values().get(t.name()).get(adminTimeout, TimeUnit.SECONDS);
                    topics.add(t.name());
                    out.put(t.name(), null);
                } catch (Exception e) {
                    Exception cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() instanceof Exception c ? c : e;
                    if (failFast) {
                        throw new IllegalStateException("creating topic " + t.name() + " failed: " + cause, cause);
                    }
                    out.put(t.name(), cause);
                }
            }
        });
        return out;
    }

    @Override
    public void consumeFromEmbeddedTopics(Consumer<?, ?> consumer, boolean seekToEnd, String... topicsToConsume) {
        List<String> missing = new ArrayList<>();
        for (String t : topicsToConsume) {
            if (!topics.contains(t)) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("topic(s):'" + missing + "' are not in embedded topic list");
        }
        AtomicBoolean assigned = new AtomicBoolean();
        consumer.subscribe(Arrays.asList(topicsToConsume), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assigned.set(true);
                if (seekToEnd) {
                    consumer.seekToEnd(partitions);
                    partitions.forEach(consumer::position); // resolve now, as Kafka's lazy seek needs
                } else {
                    consumer.seekToBeginning(partitions);
                }
            }
        });
        int n = 0;
        while (!assigned.get() && n++ < 600) {
            var records = consumer.poll(Duration.ofMillis(100)); // forces the assignment
            // Records this poll already returned are handed out again by the caller's next poll.
            for (TopicPartition tp : records.partitions()) {
                consumer.seek(tp, records.records(tp).get(0).offset());
            }
        }
        if (!assigned.get()) {
            throw new IllegalStateException("Failed to be assigned partitions from the embedded topics");
        }
    }

    @Override
    public void consumeFromEmbeddedTopics(Consumer<?, ?> consumer, String... topicsToConsume) {
        consumeFromEmbeddedTopics(consumer, false, topicsToConsume);
    }

    @Override
    public void consumeFromAnEmbeddedTopic(Consumer<?, ?> consumer, boolean seekToEnd, String topic) {
        consumeFromEmbeddedTopics(consumer, seekToEnd, topic);
    }

    @Override
    public void consumeFromAnEmbeddedTopic(Consumer<?, ?> consumer, String topic) {
        consumeFromEmbeddedTopics(consumer, false, topic);
    }

    @Override
    public void consumeFromAllEmbeddedTopics(Consumer<?, ?> consumer, boolean seekToEnd) {
        consumeFromEmbeddedTopics(consumer, seekToEnd, topics.toArray(new String[0]));
    }

    @Override
    public void consumeFromAllEmbeddedTopics(Consumer<?, ?> consumer) {
        consumeFromAllEmbeddedTopics(consumer, false);
    }
}

// The admin part of the shapes program (kafka-clients API only): createTopics results and
// errors, describeTopics/listTopics/describeCluster, consumer groups (listed, described, their
// offsets, deleted while active and after), configs (describe with sources and synonyms,
// incremental alter), createPartitions, deleteRecords, listOffsets, deleteTopics, and an admin
// used after close. Exceptions are recorded as users meet them: through ExecutionException.
package dev.ferrokafka.clients.shapes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

final class AdminShapes {
    private static final List<String> CONFIGS = List.of("retention.ms", "cleanup.policy", "message.timestamp.type",
            "min.insync.replicas", "max.message.bytes");

    private final Admin admin;
    private final Shapes out;

    AdminShapes(Admin admin, Shapes out) {
        this.admin = admin;
        this.out = out;
    }

    static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    static String entry(ConfigEntry e) {
        if (e == null) {
            return "null";
        }
        return "value=" + e.value() + " source=" + e.source() + " isDefault=" + e.isDefault() + " sensitive="
                + e.isSensitive() + " readOnly=" + e.isReadOnly() + " synonyms=" + e.synonyms();
    }

    /** The entry's type and documentation, recorded apart (the core does not read them). */
    static String typeAndDoc(ConfigEntry e) {
        return e == null ? "null" : "type=" + e.type() + " documentation=" + e.documentation();
    }

    /**
     * The resource's configs once {@code applied} holds, described again for up to 10 s: Apache
     * Kafka answers IncrementalAlterConfigs when the controller has committed the change, and the
     * broker that serves DescribeConfigs replays it a moment later, whichever client asked (a
     * describe right after the alter read the old value once in CI). Our broker applies it before
     * answering. The last answer is returned either way, so a change never applied still shows.
     */
    Config describeOnceApplied(ConfigResource resource, java.util.function.Predicate<Config> applied) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Config c = get(admin.describeConfigs(List.of(resource)).all()).get(resource);
            if (applied.test(c) || System.nanoTime() > deadline) {
                return c;
            }
            Thread.sleep(50);
        }
    }

    void putEntry(String key, ConfigEntry e) {
        out.put(key, entry(e));
        out.put(key + ".typeAndDoc", typeAndDoc(e));
    }

    void config(String key, Config c) {
        if (c == null) {
            out.put(key, "null");
            return;
        }
        for (String name : CONFIGS) {
            putEntry(key + "." + name, c.get(name));
        }
    }

    /** Creates the run's topics, recording CreateTopicsResult's fields and the usual errors. */
    void createTopics(Topics t) throws Exception {
        CreateTopicsResult r = admin.createTopics(List.of(
                new NewTopic(t.main, 3, (short) 1).configs(Map.of("retention.ms", "3600000")),
                new NewTopic(t.logAppendTime, 1, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                new NewTopic(t.one, 1, (short) 1),
                new NewTopic(t.acks0, 1, (short) 1),
                new NewTopic(t.spare, java.util.Optional.empty(), java.util.Optional.empty())));
        get(r.all());
        out.put("create.values", Shapes.sorted(r.values().keySet()));
        for (String name : List.of(t.main, t.spare)) {
            String k = "create." + (name.equals(t.main) ? "main" : "defaults");
            Uuid id = get(r.topicId(name));
            out.put(k + ".topicIdNonZero", !Uuid.ZERO_UUID.equals(id));
            out.hide(id.toString(), "topicId");
            out.put(k + ".numPartitions", get(r.numPartitions(name)));
            out.put(k + ".replicationFactor", get(r.replicationFactor(name)));
            config(k + ".config", get(r.config(name)));
        }
        out.error("create.duplicate", () -> get(admin.createTopics(List.of(new NewTopic(t.main, 1, (short) 1))).all()));
        out.error("create.badName", () -> get(admin.createTopics(List.of(new NewTopic("bad name!", 1, (short) 1))).all()));
        out.error("create.replicationTooHigh",
                () -> get(admin.createTopics(List.of(new NewTopic("rf-" + out.run(), 1, (short) 3))).all()));
        out.error("create.badConfig", () -> get(admin.createTopics(List.of(
                new NewTopic("cfg-" + out.run(), 1, (short) 1).configs(Map.of("retention.ms", "soon")))).all()));
        CreateTopicsResult validate = admin.createTopics(List.of(new NewTopic("v-" + out.run(), 2, (short) 1)),
                new org.apache.kafka.clients.admin.CreateTopicsOptions().validateOnly(true));
        get(validate.all());
        out.put("create.validateOnly.numPartitions", get(validate.numPartitions("v-" + out.run())));
        out.put("create.validateOnly.created", get(admin.listTopics().names()).contains("v-" + out.run()));
    }

    void topics(Topics t) throws Exception {
        Map<String, TopicDescription> d = get(admin.describeTopics(List.of(t.main, t.logAppendTime)).allTopicNames());
        for (TopicDescription td : d.values()) {
            out.hide(td.topicId().toString(), "topicId");
        }
        TopicDescription main = d.get(t.main);
        out.put("describeTopics.main.toString", main);
        out.put("describeTopics.main.isInternal", main.isInternal());
        out.put("describeTopics.main.topicIdNonZero", !Uuid.ZERO_UUID.equals(main.topicId()));
        out.put("describeTopics.main.partitions", main.partitions());
        out.put("describeTopics.main.authorizedOperations", main.authorizedOperations());
        out.put("describeTopics.keys", Shapes.sorted(d.keySet()));
        out.error("describeTopics.missing",
                () -> get(admin.describeTopics(List.of("missing-" + out.run())).allTopicNames()));

        Collection<TopicListing> listings = get(admin.listTopics().listings());
        List<String> ours = new ArrayList<>();
        for (TopicListing l : listings) {
            if (l.name().contains(out.run())) {
                out.hide(l.topicId().toString(), "topicId");
                ours.add(l.toString());
            }
        }
        out.put("listTopics.listings", Shapes.sorted(ours));
        out.put("listTopics.sameIds", sameIds(listings, d));
        out.put("listTopics.hasInternal", get(admin.listTopics().names()).contains("__consumer_offsets"));
        out.put("listTopics.listInternal.hasInternal",
                get(admin.listTopics(new ListTopicsOptions().listInternal(true)).names()).contains("__consumer_offsets"));
        out.put("listTopics.namesToListings", get(admin.listTopics().namesToListings()).get(t.one));

        var cluster = admin.describeCluster();
        String clusterId = get(cluster.clusterId());
        out.put("describeCluster.clusterIdNonEmpty", clusterId != null && !clusterId.isEmpty());
        out.hide(clusterId, "clusterId");
        out.put("describeCluster.controller", get(cluster.controller()));
        out.put("describeCluster.nodes", get(cluster.nodes()));
        out.put("describeCluster.authorizedOperations", get(cluster.authorizedOperations()));
    }

    private static boolean sameIds(Collection<TopicListing> listings, Map<String, TopicDescription> d) {
        for (TopicListing l : listings) {
            TopicDescription td = d.get(l.name());
            if (td != null && !td.topicId().equals(l.topicId())) {
                return false;
            }
        }
        return true;
    }

    /** Group calls while `group` has one live member. */
    void activeGroup(String group) throws Exception {
        describeGroup("group.active", group);
        out.error("group.active.delete", () -> get(admin.deleteConsumerGroups(List.of(group)).all()));
        out.put("group.active.offsets", Shapes.sorted(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())));
    }

    void describeGroup(String key, String group) throws Exception {
        ConsumerGroupDescription g = get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
        String shown = g.toString();
        for (MemberDescription m : g.members()) {
            // A member's assignment prints in HashSet order, which depends on the topic's name.
            shown = shown.replace(m.assignment().toString(), "(topicPartitions="
                    + String.join(",", new java.util.TreeSet<>(m.assignment().topicPartitions().stream()
                    .map(TopicPartition::toString).toList())) + ")");
        }
        out.put(key + ".toString", shown);
        out.put(key + ".state", g.state() + " isSimple=" + g.isSimpleConsumerGroup() + " assignor=" + g.partitionAssignor()
                + " type=" + g.type() + " coordinator=" + g.coordinator() + " ops=" + g.authorizedOperations());
        int i = 0;
        for (MemberDescription m : g.members()) {
            out.put(key + ".member." + i++, "clientId=" + m.clientId() + " instance=" + m.groupInstanceId()
                    + " hostNonEmpty=" + !m.host().isEmpty() + " assignment=" + Shapes.sorted(m.assignment().topicPartitions())
                    + " target=" + m.targetAssignment());
            out.hide(m.host(), "host");
        }
        for (ConsumerGroupListing l : get(admin.listConsumerGroups().all())) {
            if (l.groupId().equals(group)) {
                out.put(key + ".listing", l + " state=" + l.state() + " type=" + l.type());
            }
        }
    }

    void closedGroup(String group) throws Exception {
        describeGroup("group.closed", group);
        out.put("group.closed.offsets", Shapes.sorted(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())));
        out.error("group.closed.delete", () -> get(admin.deleteConsumerGroups(List.of(group)).all()));
        out.error("group.deleted.delete", () -> get(admin.deleteConsumerGroups(List.of(group)).all()));
        out.error("group.deleted.describe", () -> {
            ConsumerGroupDescription g = get(admin.describeConsumerGroups(List.of(group)).all()).get(group);
            return g.state() + " members=" + g.members().size();
        });
        out.put("group.missing.offsets",
                Shapes.sorted(get(admin.listConsumerGroupOffsets("missing-" + out.run()).partitionsToOffsetAndMetadata())));
    }

    void configs(Topics t) throws Exception {
        ConfigResource main = new ConfigResource(ConfigResource.Type.TOPIC, t.main);
        config("configs.describe", get(admin.describeConfigs(List.of(main)).all()).get(main));
        Config syn = get(admin.describeConfigs(List.of(main), new DescribeConfigsOptions().includeSynonyms(true)).values().get(main));
        putEntry("configs.synonyms.retention.ms", syn.get("retention.ms"));
        putEntry("configs.synonyms.cleanup.policy", syn.get("cleanup.policy"));
        ConfigResource missing = new ConfigResource(ConfigResource.Type.TOPIC, "missing-" + out.run());
        out.error("configs.describeMissing", () -> get(admin.describeConfigs(List.of(missing)).all()));

        get(admin.incrementalAlterConfigs(Map.of(main, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET)))).all());
        config("configs.altered", describeOnceApplied(main,
                c -> c.get("retention.ms") != null && "7200000".equals(c.get("retention.ms").value())));
        get(admin.incrementalAlterConfigs(Map.of(main, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE)))).all());
        putEntry("configs.deleted.retention.ms", describeOnceApplied(main,
                c -> c.get("retention.ms") != null
                        && c.get("retention.ms").source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG).get("retention.ms"));
        out.error("configs.alterUnknownName", () -> get(admin.incrementalAlterConfigs(Map.of(main, List.of(
                new AlterConfigOp(new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET)))).all()));
        out.error("configs.alterBadValue", () -> get(admin.incrementalAlterConfigs(Map.of(main, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))).all()));
        out.error("configs.alterMissingTopic", () -> get(admin.incrementalAlterConfigs(Map.of(missing, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET)))).all()));
    }

    void partitionsAndRecords(Topics t) throws Exception {
        TopicPartition one0 = new TopicPartition(t.one, 0);
        Map<TopicPartition, OffsetSpec> specs = Map.of(one0, OffsetSpec.earliest());
        out.put("listOffsets.earliest", get(admin.listOffsets(specs).partitionResult(one0)));
        out.put("listOffsets.latest", get(admin.listOffsets(Map.of(one0, OffsetSpec.latest())).partitionResult(one0)));
        out.put("listOffsets.maxTimestamp", get(admin.listOffsets(Map.of(one0, OffsetSpec.maxTimestamp())).partitionResult(one0)));
        out.put("listOffsets.forTimestamp", get(admin.listOffsets(Map.of(one0,
                OffsetSpec.forTimestamp(ProducerShapes.T0 + 1003))).partitionResult(one0)));
        out.put("listOffsets.forTimestampAfterAll", get(admin.listOffsets(Map.of(one0,
                OffsetSpec.forTimestamp(ProducerShapes.T0 + 99_000))).partitionResult(one0)));
        out.error("listOffsets.missingTopic", () -> get(admin.listOffsets(Map.of(new TopicPartition("missing-" + out.run(), 0),
                OffsetSpec.latest())).all()));

        out.put("deleteRecords.lowWatermark",
                get(admin.deleteRecords(Map.of(one0, RecordsToDelete.beforeOffset(2))).lowWatermarks().get(one0)).lowWatermark());
        out.put("listOffsets.earliestAfterDelete", get(admin.listOffsets(specs).partitionResult(one0)));
        out.error("deleteRecords.beyondEnd", () -> get(admin.deleteRecords(Map.of(one0, RecordsToDelete.beforeOffset(99))).all()));

        get(admin.createPartitions(Map.of(t.main, NewPartitions.increaseTo(5))).all());
        out.error("createPartitions.decrease", () -> get(admin.createPartitions(Map.of(t.main, NewPartitions.increaseTo(2))).all()));
        out.error("createPartitions.same", () -> get(admin.createPartitions(Map.of(t.main, NewPartitions.increaseTo(5))).all()));
        out.error("createPartitions.missing", () -> get(admin.createPartitions(
                Map.of("missing-" + out.run(), NewPartitions.increaseTo(5))).all()));

        out.error("deleteTopics.missing", () -> get(admin.deleteTopics(List.of("missing-" + out.run())).all()));
        out.error("deleteTopics.existing", () -> get(admin.deleteTopics(List.of(t.spare)).all()));
        out.error("deleteTopics.badName", () -> get(admin.deleteTopics(Set.of("bad name!")).all()));
    }
}

// What a new FerroKafkaConsumer is built from, made from its configs as KafkaConsumer makes
// them: the configs validated by ConsumerConfig, the client.id (generated
// "consumer-<group>-<n>" when none is set), the configured deserializers, and the native
// consumer created with the core's share of the configs (no group.id when it is empty).
package dev.ferrokafka.clients;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ferrokafka.clients.internal.ClientConfigs;
import dev.ferrokafka.clients.internal.Native;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;

record ConsumerSetup(long handle, Deserializer<?> key, Deserializer<?> value, String clientId, String groupId,
                     String instanceId) {
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    /** `keyDes`/`valueDes`: the instances given to the constructor, or null for the configured classes. */
    static ConsumerSetup create(Map<String, Object> configs, Deserializer<?> keyDes, Deserializer<?> valueDes) {
        Map<String, Object> props = new HashMap<>(configs);
        if (keyDes != null) {
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, keyDes.getClass());
        }
        if (valueDes != null) {
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, valueDes.getClass());
        }
        // Validates names, types and required keys exactly as KafkaConsumer does.
        ConsumerConfig config = new ConsumerConfig(props);
        String groupId = config.getString(ConsumerConfig.GROUP_ID_CONFIG);
        String clientId = config.getString(ConsumerConfig.CLIENT_ID_CONFIG);
        if (clientId == null || clientId.isEmpty()) {
            clientId = "consumer-" + (groupId == null ? "" : groupId + "-") + CLIENT_IDS.incrementAndGet();
        }
        Map<String, Object> originals = config.originals(Collections.singletonMap(ConsumerConfig.CLIENT_ID_CONFIG, clientId));
        Deserializer<?> k = keyDes;
        if (k == null) {
            k = config.getConfiguredInstance(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, Deserializer.class);
            k.configure(originals, true);
        }
        Deserializer<?> v = valueDes;
        if (v == null) {
            v = config.getConfiguredInstance(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, Deserializer.class);
            v.configure(originals, false);
        }
        Map<String, Object> core = new HashMap<>(configs);
        core.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        if (groupId == null || groupId.isEmpty()) {
            core.remove(ConsumerConfig.GROUP_ID_CONFIG);
            groupId = null;
        }
        String[][] kv = ClientConfigs.forCore(core, ClientConfigs.CONSUMER);
        Native.init();
        long h = Native.consumerNew(kv[0], kv[1]);
        return new ConsumerSetup(h, k, v, clientId, groupId, config.getString(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
    }
}

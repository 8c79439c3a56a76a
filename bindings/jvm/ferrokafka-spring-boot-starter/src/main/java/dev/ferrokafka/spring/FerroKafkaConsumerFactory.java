// spring-kafka's DefaultKafkaConsumerFactory creating FerroKafkaConsumers. spring-kafka 3.x
// calls the factory's listeners (Micrometer's MicrometerConsumerListener) only from its own
// consumer wrapper around KafkaConsumer, so this factory calls consumerAdded/consumerRemoved
// for our consumers itself; post-processors are applied as spring-kafka does.
package dev.ferrokafka.spring;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.ferrokafka.clients.FerroKafkaConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ConsumerPostProcessor;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

public class FerroKafkaConsumerFactory<K, V> extends DefaultKafkaConsumerFactory<K, V> {

    public FerroKafkaConsumerFactory(Map<String, Object> configs) {
        super(configs);
    }

    public FerroKafkaConsumerFactory(Map<String, Object> configs, Deserializer<K> keyDeserializer,
                                     Deserializer<V> valueDeserializer) {
        super(configs, keyDeserializer, valueDeserializer);
    }

    public FerroKafkaConsumerFactory(Map<String, Object> configs, Supplier<Deserializer<K>> keyDeserializerSupplier,
                                     Supplier<Deserializer<V>> valueDeserializerSupplier) {
        super(configs, keyDeserializerSupplier, valueDeserializerSupplier);
    }

    @Override
    protected Consumer<K, V> createRawConsumer(Map<String, Object> configProps) {
        List<ConsumerFactory.Listener<K, V>> listeners = getListeners();
        ListenedConsumer<K, V> consumer = new ListenedConsumer<>(configProps, getKeyDeserializer(), getValueDeserializer(), listeners);
        Consumer<K, V> result = consumer;
        for (ConsumerPostProcessor<K, V> pp : getPostProcessors()) {
            result = pp.apply(result);
        }
        String id = consumer.clientId();
        for (ConsumerFactory.Listener<K, V> l : listeners) {
            l.consumerAdded(id, result);
        }
        return result;
    }

    /** A FerroKafkaConsumer that tells the factory's listeners when it is closed. */
    static final class ListenedConsumer<K, V> extends FerroKafkaConsumer<K, V> {
        private final List<ConsumerFactory.Listener<K, V>> listeners;
        private boolean removed;

        ListenedConsumer(Map<String, Object> configs, Deserializer<K> k, Deserializer<V> v,
                         List<ConsumerFactory.Listener<K, V>> listeners) {
            super(configs, k, v);
            this.listeners = listeners;
        }

        @Override
        protected void onClosed() {
            if (!removed) {
                removed = true;
                for (ConsumerFactory.Listener<K, V> l : listeners) {
                    l.consumerRemoved(clientId(), this);
                }
            }
        }
    }
}

// spring-kafka's DefaultKafkaProducerFactory creating FerroKafkaProducers: everything else
// (CloseSafeProducer caching, listeners such as Micrometer's, post-processors, customizers)
// stays spring-kafka's own.
package dev.ferrokafka.spring;

import java.util.Map;
import java.util.function.Supplier;

import dev.ferrokafka.clients.FerroKafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerPostProcessor;

public class FerroKafkaProducerFactory<K, V> extends DefaultKafkaProducerFactory<K, V> {

    public FerroKafkaProducerFactory(Map<String, Object> configs) {
        super(configs);
    }

    public FerroKafkaProducerFactory(Map<String, Object> configs, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        super(configs, keySerializer, valueSerializer);
    }

    public FerroKafkaProducerFactory(Map<String, Object> configs, Supplier<Serializer<K>> keySerializerSupplier,
                                     Supplier<Serializer<V>> valueSerializerSupplier) {
        super(configs, keySerializerSupplier, valueSerializerSupplier);
    }

    @Override
    protected Producer<K, V> createRawProducer(Map<String, Object> rawConfigs) {
        Producer<K, V> producer = new FerroKafkaProducer<>(rawConfigs, getKeySerializerSupplier().get(),
                getValueSerializerSupplier().get());
        for (ProducerPostProcessor<K, V> pp : getPostProcessors()) {
            producer = pp.apply(producer);
        }
        return producer;
    }
}

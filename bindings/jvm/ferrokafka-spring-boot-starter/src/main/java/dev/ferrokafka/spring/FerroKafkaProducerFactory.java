// spring-kafka's DefaultKafkaProducerFactory creating FerroKafkaProducers: everything else
// (CloseSafeProducer caching, listeners such as Micrometer's, post-processors, customizers)
// stays spring-kafka's own. Copies (KafkaTemplate's config overrides) are ours too.
package dev.ferrokafka.spring;

import java.util.Map;
import java.util.function.Supplier;

import dev.ferrokafka.clients.FerroKafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerFactory;
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

    /** Ours, built from a plain spring-kafka factory's configs, serializers and settings. */
    static <K, V> FerroKafkaProducerFactory<K, V> from(DefaultKafkaProducerFactory<K, V> pf, String beanName) {
        FerroKafkaProducerFactory<K, V> ours = new FerroKafkaProducerFactory<>(
                pf.getConfigurationProperties(), pf.getKeySerializerSupplier(), pf.getValueSerializerSupplier());
        if (pf.getTransactionIdPrefix() != null) {
            ours.setTransactionIdPrefix(pf.getTransactionIdPrefix());
        }
        ours.setPhysicalCloseTimeout((int) pf.getPhysicalCloseTimeout().getSeconds());
        ours.setProducerPerThread(pf.isProducerPerThread());
        pf.getListeners().forEach(ours::addListener);
        pf.getPostProcessors().forEach(ours::addPostProcessor);
        if (beanName != null) {
            ours.setBeanName(beanName);
        }
        return ours;
    }

    /**
     * spring-kafka's copy (used by {@code new KafkaTemplate<>(factory, overrides)}) is a plain
     * DefaultKafkaProducerFactory, i.e. Java's KafkaProducer: turn it into ours.
     */
    @Override
    public ProducerFactory<K, V> copyWithConfigurationOverride(Map<String, Object> overrideProperties) {
        ProducerFactory<K, V> copy = super.copyWithConfigurationOverride(overrideProperties);
        return copy instanceof DefaultKafkaProducerFactory<K, V> d && copy.getClass() == DefaultKafkaProducerFactory.class
                ? from(d, null) : copy;
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

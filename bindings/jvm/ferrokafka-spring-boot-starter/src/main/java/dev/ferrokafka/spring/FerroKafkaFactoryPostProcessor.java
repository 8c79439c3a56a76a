// Applications that declare their own DefaultKafkaProducerFactory / DefaultKafkaConsumerFactory
// beans (the usual "KafkaProducerConfig" style) get ferrokafka clients too: this post-processor
// replaces each plain spring-kafka factory bean with our subclass built from the same configs,
// serializer suppliers, listeners, post-processors and settings. Subclasses the application
// wrote itself are left alone. `ferrokafka.replace-factories=false` turns it off.
package dev.ferrokafka.spring;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

public class FerroKafkaFactoryPostProcessor implements BeanPostProcessor {

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        if (bean.getClass() == DefaultKafkaProducerFactory.class) {
            return FerroKafkaProducerFactory.from((DefaultKafkaProducerFactory<Object, Object>) bean, beanName);
        }
        if (bean.getClass() == DefaultKafkaConsumerFactory.class) {
            DefaultKafkaConsumerFactory<Object, Object> cf = (DefaultKafkaConsumerFactory<Object, Object>) bean;
            FerroKafkaConsumerFactory<Object, Object> ours = new FerroKafkaConsumerFactory<>(
                    cf.getConfigurationProperties(), (java.util.function.Supplier) cf::getKeyDeserializer,
                    (java.util.function.Supplier) cf::getValueDeserializer);
            cf.getListeners().forEach(ours::addListener);
            cf.getPostProcessors().forEach(ours::addPostProcessor);
            ours.setBeanName(beanName);
            return ours;
        }
        return bean;
    }
}

// Auto-configuration ordered before Boot's KafkaAutoConfiguration: supplies the
// ProducerFactory, ConsumerFactory and KafkaAdmin beans (built from every spring.kafka.*
// property, with Boot's customizers applied, e.g. Micrometer's listeners) that create
// ferrokafka clients; Boot's own beans then back off (@ConditionalOnMissingBean), and the
// KafkaTemplate, listener container factory and everything above them stay Boot's.
package dev.ferrokafka.spring;

import dev.ferrokafka.clients.FerroKafkaProducer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.kafka.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.autoconfigure.kafka.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration;
import org.springframework.boot.autoconfigure.kafka.KafkaProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnClass({KafkaTemplate.class, FerroKafkaProducer.class})
@ConditionalOnProperty(prefix = "ferrokafka", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(KafkaProperties.class)
public class FerroKafkaAutoConfiguration {

    /** Swaps application-declared spring-kafka factories for ours (see the class). */
    @Bean
    @ConditionalOnProperty(prefix = "ferrokafka", name = "replace-factories", havingValue = "true", matchIfMissing = true)
    public static FerroKafkaFactoryPostProcessor ferroKafkaFactoryPostProcessor() {
        return new FerroKafkaFactoryPostProcessor();
    }

    @Bean
    @ConditionalOnMissingBean(ProducerFactory.class)
    public FerroKafkaProducerFactory<Object, Object> kafkaProducerFactory(KafkaProperties properties,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers, ObjectProvider<SslBundles> sslBundles) {
        FerroKafkaProducerFactory<Object, Object> factory =
                new FerroKafkaProducerFactory<>(properties.buildProducerProperties(sslBundles.getIfAvailable()));
        String prefix = properties.getProducer().getTransactionIdPrefix();
        if (prefix != null) {
            factory.setTransactionIdPrefix(prefix);
        }
        customizers.orderedStream().forEach(c -> c.customize(factory));
        return factory;
    }

    @Bean
    @ConditionalOnMissingBean(ConsumerFactory.class)
    public FerroKafkaConsumerFactory<Object, Object> kafkaConsumerFactory(KafkaProperties properties,
            ObjectProvider<DefaultKafkaConsumerFactoryCustomizer> customizers, ObjectProvider<SslBundles> sslBundles) {
        FerroKafkaConsumerFactory<Object, Object> factory =
                new FerroKafkaConsumerFactory<>(properties.buildConsumerProperties(sslBundles.getIfAvailable()));
        customizers.orderedStream().forEach(c -> c.customize(factory));
        return factory;
    }

    @Bean
    @ConditionalOnMissingBean(KafkaAdmin.class)
    public KafkaAdmin kafkaAdmin(KafkaProperties properties, ObjectProvider<SslBundles> sslBundles) {
        FerroKafkaSpringAdmin admin = new FerroKafkaSpringAdmin(properties.buildAdminProperties(sslBundles.getIfAvailable()));
        KafkaProperties.Admin a = properties.getAdmin();
        PropertyMapper map = PropertyMapper.get().alwaysApplyingWhenNonNull();
        map.from(a.getCloseTimeout()).asInt(d -> (int) d.getSeconds()).to(admin::setCloseTimeout);
        map.from(a.getOperationTimeout()).asInt(d -> (int) d.getSeconds()).to(admin::setOperationTimeout);
        admin.setFatalIfBrokerNotAvailable(a.isFailFast());
        admin.setModifyTopicConfigs(a.isModifyTopicConfigs());
        admin.setAutoCreate(a.isAutoCreate());
        return admin;
    }
}

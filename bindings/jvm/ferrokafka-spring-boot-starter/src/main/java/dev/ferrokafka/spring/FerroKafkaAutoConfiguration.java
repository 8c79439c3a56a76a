// Spring Boot 3.x auto-configuration, ordered before Boot 3's KafkaAutoConfiguration
// (package org.springframework.boot.autoconfigure.kafka): supplies the ProducerFactory,
// ConsumerFactory and KafkaAdmin beans (built from every spring.kafka.* property, with Boot's
// customizers applied, e.g. Micrometer's listeners) that create ferrokafka clients; Boot's own
// beans then back off (@ConditionalOnMissingBean), and the KafkaTemplate, listener container
// factory and everything above them stay Boot's. Boot 4 moved that package: see
// FerroKafkaBoot4AutoConfiguration. Both are guarded by class *names* so that only the one
// matching the running Boot is ever loaded (the other's types are absent there).
package dev.ferrokafka.spring;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.kafka.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.autoconfigure.kafka.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.autoconfigure.kafka.KafkaProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;

@AutoConfiguration(beforeName = FerroKafkaAutoConfiguration.BOOT3_KAFKA_AUTO_CONFIGURATION)
@ConditionalOnClass(name = {"org.springframework.kafka.core.KafkaTemplate", "dev.ferrokafka.clients.FerroKafkaProducer",
        FerroKafkaAutoConfiguration.BOOT3_KAFKA_AUTO_CONFIGURATION})
@ConditionalOnProperty(prefix = "ferrokafka", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(KafkaProperties.class)
public class FerroKafkaAutoConfiguration {
    static final String BOOT3_KAFKA_AUTO_CONFIGURATION = "org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration";

    @Bean
    @ConditionalOnMissingBean(ProducerFactory.class)
    public FerroKafkaProducerFactory<Object, Object> kafkaProducerFactory(KafkaProperties properties,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers, ObjectProvider<SslBundles> sslBundles) {
        FerroKafkaProducerFactory<Object, Object> factory =
                new FerroKafkaProducerFactory<>(SslBundlePem.resolve(properties.buildProducerProperties(sslBundles.getIfAvailable())));
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
                new FerroKafkaConsumerFactory<>(SslBundlePem.resolve(properties.buildConsumerProperties(sslBundles.getIfAvailable())));
        customizers.orderedStream().forEach(c -> c.customize(factory));
        return factory;
    }

    @Bean
    @ConditionalOnMissingBean(KafkaAdmin.class)
    public KafkaAdmin kafkaAdmin(KafkaProperties properties, ObjectProvider<SslBundles> sslBundles) {
        FerroKafkaSpringAdmin admin = new FerroKafkaSpringAdmin(SslBundlePem.resolve(properties.buildAdminProperties(sslBundles.getIfAvailable())));
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

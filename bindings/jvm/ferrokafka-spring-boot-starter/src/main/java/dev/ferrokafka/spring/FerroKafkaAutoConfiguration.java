// Spring Boot 3.x auto-configuration, ordered before Boot 3's KafkaAutoConfiguration
// (package org.springframework.boot.autoconfigure.kafka): supplies the ProducerFactory,
// ConsumerFactory and KafkaAdmin beans (built from every spring.kafka.* property, with Boot's
// customizers applied, e.g. Micrometer's listeners) that create ferrokafka clients; Boot's own
// beans then back off (@ConditionalOnMissingBean), and the KafkaTemplate, listener container
// factory and everything above them stay Boot's. Boot 4 moved that package: see
// FerroKafkaBoot4AutoConfiguration. Both are guarded by class *names* so that only the one
// matching the running Boot is ever loaded (the other's types are absent there).
package dev.ferrokafka.spring;

import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.kafka.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.autoconfigure.kafka.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.autoconfigure.kafka.KafkaConnectionDetails;
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
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<KafkaConnectionDetails> connectionDetails) {
        Map<String, Object> configs = properties.buildProducerProperties(sslBundles.getIfAvailable());
        KafkaConnectionDetails details = connectionDetails.getIfAvailable();
        if (details != null) {
            apply(configs, details.getProducer());
        }
        FerroKafkaProducerFactory<Object, Object> factory = new FerroKafkaProducerFactory<>(configs);
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
            ObjectProvider<DefaultKafkaConsumerFactoryCustomizer> customizers, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<KafkaConnectionDetails> connectionDetails) {
        Map<String, Object> configs = properties.buildConsumerProperties(sslBundles.getIfAvailable());
        KafkaConnectionDetails details = connectionDetails.getIfAvailable();
        if (details != null) {
            apply(configs, details.getConsumer());
        }
        FerroKafkaConsumerFactory<Object, Object> factory = new FerroKafkaConsumerFactory<>(configs);
        customizers.orderedStream().forEach(c -> c.customize(factory));
        return factory;
    }

    @Bean
    @ConditionalOnMissingBean(KafkaAdmin.class)
    public KafkaAdmin kafkaAdmin(KafkaProperties properties, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<KafkaConnectionDetails> connectionDetails) {
        Map<String, Object> configs = properties.buildAdminProperties(sslBundles.getIfAvailable());
        KafkaConnectionDetails details = connectionDetails.getIfAvailable();
        if (details != null) {
            apply(configs, details.getAdmin());
        }
        FerroKafkaSpringAdmin admin = new FerroKafkaSpringAdmin(configs);
        KafkaProperties.Admin a = properties.getAdmin();
        PropertyMapper map = PropertyMapper.get().alwaysApplyingWhenNonNull();
        map.from(a.getCloseTimeout()).asInt(d -> (int) d.getSeconds()).to(admin::setCloseTimeout);
        map.from(a.getOperationTimeout()).asInt(d -> (int) d.getSeconds()).to(admin::setOperationTimeout);
        admin.setFatalIfBrokerNotAvailable(a.isFailFast());
        admin.setModifyTopicConfigs(a.isModifyTopicConfigs());
        admin.setAutoCreate(a.isAutoCreate());
        return admin;
    }

    /**
     * What Boot 3.5 takes from KafkaConnectionDetails (PropertiesKafkaConnectionDetails, or e.g.
     * a @ServiceConnection): the bootstrap servers, the security protocol and the SSL bundle
     * (spring.kafka.ssl.bundle, which Boot 3.5's buildXProperties leaves to the details), the
     * latter as the core's inline PEM settings (SslBundlePem). As Boot's own factories do.
     */
    private static void apply(Map<String, Object> configs, KafkaConnectionDetails.Configuration c) {
        configs.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, c.getBootstrapServers());
        String protocol = c.getSecurityProtocol();
        if (protocol != null && !protocol.isEmpty()) {
            configs.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        }
        if (c.getSslBundle() != null) {
            SslBundlePem.apply(configs, c.getSslBundle());
        }
    }
}

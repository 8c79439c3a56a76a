// Spring Boot 4.x auto-configuration, ordered before Boot 4's KafkaAutoConfiguration (module
// spring-boot-kafka, package org.springframework.boot.kafka.autoconfigure): the same
// ProducerFactory, ConsumerFactory and KafkaAdmin beans as FerroKafkaAutoConfiguration does
// for Boot 3, built the way Boot 4 builds its own (KafkaProperties, then the
// KafkaConnectionDetails' bootstrap servers and security protocol, then Boot's customizers,
// e.g. Micrometer's listeners), so Boot's beans back off. Guarded by class names: on Boot 3
// this class is never loaded, and FerroKafkaAutoConfiguration is never loaded on Boot 4.
package dev.ferrokafka.spring;

import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;

@AutoConfiguration(beforeName = FerroKafkaBoot4AutoConfiguration.BOOT4_KAFKA_AUTO_CONFIGURATION)
@ConditionalOnClass(name = {"org.springframework.kafka.core.KafkaTemplate", "dev.ferrokafka.clients.FerroKafkaProducer",
        FerroKafkaBoot4AutoConfiguration.BOOT4_KAFKA_AUTO_CONFIGURATION})
@ConditionalOnProperty(prefix = "ferrokafka", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(KafkaProperties.class)
public class FerroKafkaBoot4AutoConfiguration {
    static final String BOOT4_KAFKA_AUTO_CONFIGURATION = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration";

    @Bean
    @ConditionalOnMissingBean(ProducerFactory.class)
    public FerroKafkaProducerFactory<Object, Object> kafkaProducerFactory(KafkaProperties properties,
            ObjectProvider<KafkaConnectionDetails> connectionDetails,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        Map<String, Object> configs = properties.buildProducerProperties();
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
            ObjectProvider<KafkaConnectionDetails> connectionDetails,
            ObjectProvider<DefaultKafkaConsumerFactoryCustomizer> customizers) {
        Map<String, Object> configs = properties.buildConsumerProperties();
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
    public KafkaAdmin kafkaAdmin(KafkaProperties properties, ObjectProvider<KafkaConnectionDetails> connectionDetails) {
        Map<String, Object> configs = properties.buildAdminProperties();
        KafkaConnectionDetails details = connectionDetails.getIfAvailable();
        if (details != null) {
            apply(configs, details.getAdmin());
        }
        FerroKafkaSpringAdmin admin = new FerroKafkaSpringAdmin(configs);
        KafkaProperties.Admin a = properties.getAdmin();
        if (a.getCloseTimeout() != null) {
            admin.setCloseTimeout((int) a.getCloseTimeout().getSeconds());
        }
        if (a.getOperationTimeout() != null) {
            admin.setOperationTimeout((int) a.getOperationTimeout().getSeconds());
        }
        admin.setFatalIfBrokerNotAvailable(a.isFailFast());
        admin.setModifyTopicConfigs(a.isModifyTopicConfigs());
        admin.setAutoCreate(a.isAutoCreate());
        return admin;
    }

    /**
     * What Boot 4 takes from KafkaConnectionDetails (e.g. a @ServiceConnection): the bootstrap
     * servers, the security protocol and the SSL bundle (spring.kafka.ssl.bundle, or the
     * details' own), the latter as the core's inline PEM settings (SslBundlePem).
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

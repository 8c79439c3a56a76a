// Registers FerroKafkaFactoryPostProcessor (application-declared DefaultKafka*Factory beans
// become ours) on every Spring Boot version: it touches only spring-kafka types, so it is
// shared by the Boot 3 and Boot 4 auto-configurations.
package dev.ferrokafka.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

@AutoConfiguration
@ConditionalOnClass(name = {"org.springframework.kafka.core.KafkaTemplate", "dev.ferrokafka.clients.FerroKafkaProducer"})
@ConditionalOnProperty(prefix = "ferrokafka", name = "enabled", havingValue = "true", matchIfMissing = true)
public class FerroKafkaFactoryReplacementAutoConfiguration {

    /** Swaps application-declared spring-kafka factories for ours (see the class). */
    @Bean
    @ConditionalOnProperty(prefix = "ferrokafka", name = "replace-factories", havingValue = "true", matchIfMissing = true)
    public static FerroKafkaFactoryPostProcessor ferroKafkaFactoryPostProcessor() {
        return new FerroKafkaFactoryPostProcessor();
    }
}

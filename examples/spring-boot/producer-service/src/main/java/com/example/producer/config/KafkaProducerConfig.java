// The seed's Kafka configuration: topics, producer factory, template, consumer factory and
// listener container factory (manual acknowledgment) from spring.kafka.* properties.
package com.example.producer.config;

import java.util.Map;

import com.example.producer.model.Message;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.autoconfigure.kafka.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;

@Configuration
public class KafkaProducerConfig {
    public static final String TOPIC_NAME = "demo-topic";
    public static final String FEEDBACK_TOPIC_NAME = "feedback-topic";

    private final KafkaProperties kafkaProperties;

    public KafkaProducerConfig(KafkaProperties kafkaProperties) {
        this.kafkaProperties = kafkaProperties;
    }

    @Bean
    public NewTopic demoTopic() {
        return TopicBuilder.name(TOPIC_NAME).partitions(3).replicas(1)
                .config("retention.ms", "604800000").build();
    }

    @Bean
    public NewTopic feedbackTopic() {
        return TopicBuilder.name(FEEDBACK_TOPIC_NAME).partitions(3).replicas(1).build();
    }

    @Bean
    public Map<String, Object> producerConfigs() {
        return kafkaProperties.buildProducerProperties(null);
    }

    @Bean
    public ProducerFactory<String, Message> producerFactory() {
        return new DefaultKafkaProducerFactory<>(producerConfigs());
    }

    @Bean
    public KafkaTemplate<String, Message> kafkaTemplate() {
        return new KafkaTemplate<>(producerFactory());
    }

    @Bean
    public ConsumerFactory<String, Message> consumerFactory() {
        return new DefaultKafkaConsumerFactory<>(kafkaProperties.buildConsumerProperties(null));
    }

    @Bean
    public ConcurrentKafkaListenerContainerFactory<String, Message> kafkaListenerContainerFactory() {
        ConcurrentKafkaListenerContainerFactory<String, Message> factory = new ConcurrentKafkaListenerContainerFactory<>();
        factory.setConsumerFactory(consumerFactory());
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
        return factory;
    }
}

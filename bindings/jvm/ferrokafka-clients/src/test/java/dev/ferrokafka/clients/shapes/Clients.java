// The one thing the shapes program does not write itself: how a Producer, Consumer or Admin is
// created from properties (Apache's KafkaProducer/KafkaConsumer/Admin.create, or ferrokafka's
// FerroKafkaProducer/FerroKafkaConsumer/FerroKafkaAdmin).
package dev.ferrokafka.clients.shapes;

import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

public interface Clients {
    <K, V> Producer<K, V> producer(Map<String, Object> props);

    <K, V> Consumer<K, V> consumer(Map<String, Object> props);

    Admin admin(Map<String, Object> props);
}

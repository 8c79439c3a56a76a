// spring-kafka's KafkaAdmin whose admin client is a FerroKafkaAdmin: NewTopic beans, topic
// checks and clusterId() go through the native core.
package dev.ferrokafka.spring;

import java.util.Map;

import dev.ferrokafka.clients.FerroKafkaAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.kafka.core.KafkaAdmin;

public class FerroKafkaSpringAdmin extends KafkaAdmin {

    public FerroKafkaSpringAdmin(Map<String, Object> config) {
        super(config);
    }

    @Override
    protected Admin createAdmin() {
        return new FerroKafkaAdmin(getAdminConfig());
    }
}

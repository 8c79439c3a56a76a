// The annotation that registers a FerroEmbeddedKafkaBroker as the `embeddedKafka` bean of a
// Spring test context (and sets spring.kafka.bootstrap-servers), with @EmbeddedKafka's
// attributes; on a plain JUnit 5 class it starts the broker for parameter injection.
package dev.ferrokafka.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(FerroKafkaExtension.class)
public @interface EmbeddedFerroKafka {
    /** Number of brokers: the bundled broker is a single node, so only 1 is accepted. */
    int count() default 1;

    /** Ports, one per broker (0 = any free port). */
    int[] ports() default {0};

    /** Partitions per topic. */
    int partitions() default 2;

    /** Topics to create at startup (placeholders resolved in Spring tests). */
    String[] topics() default {};

    /** Broker properties as `key=value` (placeholders resolved in Spring tests). */
    String[] brokerProperties() default {};

    /** A properties file (Spring resource location) with broker properties. */
    String brokerPropertiesLocation() default "";

    /** The system property that gets the bootstrap address. */
    String bootstrapServersProperty() default "spring.kafka.bootstrap-servers";

    /** Admin timeout in seconds. */
    int adminTimeout() default 10;
}

// Registered in META-INF/spring.factories: for a test class annotated with @EmbeddedFerroKafka,
// starts the bundled broker before the context refreshes and registers it as the
// `embeddedKafka` EmbeddedKafkaBroker bean (stopped with the context), as spring-kafka-test's
// EmbeddedKafkaContextCustomizer does for @EmbeddedKafka.
package dev.ferrokafka.test;

import java.util.List;
import java.util.Objects;

import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

public class FerroKafkaContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        EmbeddedFerroKafka a = AnnotatedElementUtils.findMergedAnnotation(testClass, EmbeddedFerroKafka.class);
        return a == null ? null : new Customizer(a);
    }

    private static final class Customizer implements ContextCustomizer {
        private final EmbeddedFerroKafka annotation;

        Customizer(EmbeddedFerroKafka annotation) {
            this.annotation = annotation;
        }

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            var env = context.getEnvironment();
            FerroEmbeddedKafkaBroker broker = FerroKafkaBrokerFactory.create(annotation, env::resolvePlaceholders);
            broker.afterPropertiesSet();
            var beanFactory = context.getBeanFactory();
            beanFactory.initializeBean(broker, EmbeddedKafkaBroker.BEAN_NAME);
            beanFactory.registerSingleton(EmbeddedKafkaBroker.BEAN_NAME, broker);
            ((DefaultSingletonBeanRegistry) beanFactory).registerDisposableBean(EmbeddedKafkaBroker.BEAN_NAME, broker);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Customizer c && annotation.equals(c.annotation);
        }

        @Override
        public int hashCode() {
            return Objects.hash(annotation);
        }
    }
}

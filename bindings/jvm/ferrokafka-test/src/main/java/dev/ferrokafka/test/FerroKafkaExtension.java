// JUnit 5 extension for tests without Spring: @EmbeddedFerroKafka on the class starts one
// bundled broker for the class (stopped after it) and injects it into parameters of type
// EmbeddedKafkaBroker, FerroEmbeddedKafkaBroker or FerroKafkaBroker. In a Spring test class
// (SpringExtension present) it does nothing: the context customizer owns the broker there.
package dev.ferrokafka.test;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

public class FerroKafkaExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FerroKafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        return type == EmbeddedKafkaBroker.class || type == FerroEmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        ExtensionContext classContext = c.getRoot() == c ? c : classContext(c);
        Class<?> testClass = classContext.getRequiredTestClass();
        EmbeddedFerroKafka a = AnnotatedElementUtils.findMergedAnnotation(testClass, EmbeddedFerroKafka.class);
        if (a == null) {
            throw new ParameterResolutionException("annotate the test class with @EmbeddedFerroKafka");
        }
        Holder h = classContext.getStore(NS).getOrComputeIfAbsent(Holder.class, k -> {
            FerroEmbeddedKafkaBroker b = FerroKafkaBrokerFactory.create(a, s -> s);
            b.afterPropertiesSet();
            return new Holder(b);
        }, Holder.class);
        return h.broker;
    }

    private static ExtensionContext classContext(ExtensionContext c) {
        ExtensionContext cur = c;
        while (cur.getTestMethod().isPresent() && cur.getParent().isPresent()) {
            cur = cur.getParent().get();
        }
        return cur;
    }

    private record Holder(FerroEmbeddedKafkaBroker broker) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            broker.destroy();
        }
    }
}

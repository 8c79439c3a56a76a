// The seed's setup, for the benchmark only (bench/jvm/order-export-wall.sh, Maven profile
// stock-embedded-kafka): the same scenarios as OrderExportFlowTest on spring-kafka-test's
// @EmbeddedKafka (its in-JVM KRaft broker) with spring-kafka's stock factories and Java's
// clients (the starter switched off). Not run by CI's normal pass: the class is compiled only
// in that profile, and its name is outside Surefire's default includes.
package com.example.orderexport;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.context.EmbeddedKafka;

@SpringBootTest(properties = "ferrokafka.enabled=false")
@EmbeddedKafka(kraft = true, partitions = 3, topics = {"order-export"})
class OrderExportFlowOnStockEmbeddedKafka extends OrderExportFlowScenarios {
}

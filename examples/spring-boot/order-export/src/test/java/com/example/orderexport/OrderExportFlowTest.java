// The order-export flow end to end on the embedded (bundled) broker, as in the seed, with the
// starter's factories: the scenarios of OrderExportFlowScenarios under @EmbeddedFerroKafka.
package com.example.orderexport;

import dev.ferrokafka.test.EmbeddedFerroKafka;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
@EmbeddedFerroKafka(partitions = 3, topics = {"order-export"})
class OrderExportFlowTest extends OrderExportFlowScenarios {
}

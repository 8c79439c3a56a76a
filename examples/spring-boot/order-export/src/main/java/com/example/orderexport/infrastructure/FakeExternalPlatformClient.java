// Stands in for the external platform: records the order ids it received.
package com.example.orderexport.infrastructure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.stereotype.Component;

@Component
public class FakeExternalPlatformClient implements ExternalPlatformClient {
    private final List<Long> receivedOrderIds = new CopyOnWriteArrayList<>();

    @Override
    public void sendOrder(long orderId) {
        receivedOrderIds.add(orderId);
    }

    public List<Long> getReceivedOrderIds() {
        return List.copyOf(receivedOrderIds);
    }
}

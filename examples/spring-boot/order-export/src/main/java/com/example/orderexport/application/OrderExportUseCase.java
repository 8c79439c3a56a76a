// Exports a confirmed order to the external platform.
package com.example.orderexport.application;

import com.example.orderexport.infrastructure.ExternalPlatformClient;
import org.springframework.stereotype.Service;

@Service
public class OrderExportUseCase {
    private final ExternalPlatformClient client;

    public OrderExportUseCase(ExternalPlatformClient client) {
        this.client = client;
    }

    public void export(long orderId) {
        client.sendOrder(orderId);
    }
}

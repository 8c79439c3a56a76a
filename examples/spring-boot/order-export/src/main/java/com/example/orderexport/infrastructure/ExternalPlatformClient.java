package com.example.orderexport.infrastructure;

/** The external platform orders are exported to. */
public interface ExternalPlatformClient {
    void sendOrder(long orderId);
}

package com.example.orderexport.domain;

/** Raised when an order is confirmed: the order must be exported to the external platform. */
public record OrderExportRequestedEvent(long orderId) {}

package com.example.orderexport.application;

/** The order-export topic's payload (JSON). */
public record OrderExportMessage(long orderId, String requestedAt) {}

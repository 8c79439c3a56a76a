// Confirms an order in a transaction and publishes its domain events; they reach Kafka only
// after the commit (OrderExportEventHandler).
package com.example.orderexport.application;

import com.example.orderexport.domain.Order;
import com.example.orderexport.domain.OrderRepository;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrderService {
    private final OrderRepository orders;
    private final ApplicationEventPublisher events;

    public OrderService(OrderRepository orders, ApplicationEventPublisher events) {
        this.orders = orders;
        this.events = events;
    }

    @Transactional
    public Order createOrder(long id) {
        return orders.create(id);
    }

    @Transactional
    public Order confirmOrder(long id) {
        Order order = orders.find(id).orElseThrow(() -> new IllegalArgumentException("no order " + id));
        order.markConfirmed();
        orders.save(order);
        order.pullEvents().forEach(events::publishEvent);
        return order;
    }

    /** Confirms and then fails, so the transaction rolls back (and nothing is exported). */
    @Transactional
    public void confirmOrderThenFail(long id) {
        confirmOrder(id);
        throw new IllegalStateException("payment declined for order " + id);
    }
}

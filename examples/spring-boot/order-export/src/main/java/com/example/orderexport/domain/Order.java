// An order; confirming it registers the OrderExportRequestedEvent domain event.
package com.example.orderexport.domain;

import java.util.ArrayList;
import java.util.List;

public class Order {
    public enum Status { CREATED, CONFIRMED }

    private final long id;
    private Status status;
    private final List<Object> events = new ArrayList<>();

    public Order(long id, Status status) {
        this.id = id;
        this.status = status;
    }

    public void markConfirmed() {
        if (status == Status.CONFIRMED) {
            throw new IllegalStateException("order " + id + " is already confirmed");
        }
        status = Status.CONFIRMED;
        events.add(new OrderExportRequestedEvent(id));
    }

    /** The domain events registered since the last call, cleared. */
    public List<Object> pullEvents() {
        List<Object> out = List.copyOf(events);
        events.clear();
        return out;
    }

    public long getId() { return id; }
    public Status getStatus() { return status; }
}

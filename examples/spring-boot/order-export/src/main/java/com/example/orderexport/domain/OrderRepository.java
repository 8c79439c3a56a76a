// Orders in the database (JDBC), so confirmOrder runs in a real transaction.
package com.example.orderexport.domain;

import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

@Repository
public class OrderRepository {
    private final JdbcTemplate jdbc;

    public OrderRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Order create(long id) {
        jdbc.update("INSERT INTO orders (id, status) VALUES (?, ?)", id, Order.Status.CREATED.name());
        return new Order(id, Order.Status.CREATED);
    }

    public Optional<Order> find(long id) {
        return jdbc.query("SELECT id, status FROM orders WHERE id = ?",
                (rs, n) -> new Order(rs.getLong(1), Order.Status.valueOf(rs.getString(2))), id).stream().findFirst();
    }

    public void save(Order order) {
        jdbc.update("UPDATE orders SET status = ? WHERE id = ?", order.getStatus().name(), order.getId());
    }
}

package com.example.orderexport;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OrderExportApplication {
    public static void main(String[] args) {
        SpringApplication.run(OrderExportApplication.class, args);
    }
}

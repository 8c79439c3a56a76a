// REST API: POST /api/messages (a whole Message) and POST /api/messages/simple (content, type).
package com.example.producer.controller;

import java.util.HashMap;
import java.util.Map;

import com.example.producer.model.Message;
import com.example.producer.service.KafkaProducerService;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/messages")
public class KafkaProducerController {
    private final KafkaProducerService kafkaProducerService;

    public KafkaProducerController(KafkaProducerService kafkaProducerService) {
        this.kafkaProducerService = kafkaProducerService;
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> sendMessage(@RequestBody Message message) {
        var result = kafkaProducerService.sendMessage(message).join();
        Map<String, Object> response = new HashMap<>();
        response.put("status", "success");
        response.put("messageId", message.getId());
        response.put("partition", result.getRecordMetadata().partition());
        response.put("offset", result.getRecordMetadata().offset());
        return ResponseEntity.ok(response);
    }

    @PostMapping("/simple")
    public ResponseEntity<Map<String, Object>> sendSimpleMessage(@RequestParam String content,
                                                                 @RequestParam(required = false) String type) {
        Message message = Message.builder().content(content).type(type != null ? type : "INFO").source("api").build();
        return sendMessage(message);
    }
}

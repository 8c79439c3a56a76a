// The message sent to Kafka (the seed's Lombok @Data/@Builder class, written out).
package com.example.producer.model;

import java.time.LocalDateTime;
import java.util.Map;

public class Message {
    private String id;
    private String content;
    private String type;
    private LocalDateTime timestamp;
    private String source;
    private Map<String, String> metadata;

    public Message() {}

    public Message(String id, String content, String type, LocalDateTime timestamp, String source, Map<String, String> metadata) {
        this.id = id;
        this.content = content;
        this.type = type;
        this.timestamp = timestamp;
        this.source = source;
        this.metadata = metadata;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Message m = new Message();

        public Builder id(String v) { m.id = v; return this; }
        public Builder content(String v) { m.content = v; return this; }
        public Builder type(String v) { m.type = v; return this; }
        public Builder timestamp(LocalDateTime v) { m.timestamp = v; return this; }
        public Builder source(String v) { m.source = v; return this; }
        public Builder metadata(Map<String, String> v) { m.metadata = v; return this; }
        public Message build() { return m; }
    }

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getContent() { return content; }
    public void setContent(String content) { this.content = content; }
    public String getType() { return type; }
    public void setType(String type) { this.type = type; }
    public LocalDateTime getTimestamp() { return timestamp; }
    public void setTimestamp(LocalDateTime timestamp) { this.timestamp = timestamp; }
    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }
    public Map<String, String> getMetadata() { return metadata; }
    public void setMetadata(Map<String, String> metadata) { this.metadata = metadata; }

    @Override
    public String toString() {
        return "Message{id=" + id + ", content=" + content + ", type=" + type + ", source=" + source + "}";
    }
}

//! Shared parts of `rd-producer-perf` / `rd-consumer-perf` (ProducerPerformance /
//! ConsumerPerformance on librdkafka, driven natively): the flag parser, payloads and latency
//! statistics are ferrokafka-bench's own files, included by path so that both tool families parse,
//! generate and count identically (that crate depends on the core, which this out-of-workspace
//! crate should not compile); plus the mapping of Java client property names onto librdkafka's.
//!
//! Owns the property mapping only; no I/O besides reading a `--*.config` file.

#[path = "../../ferrokafka-bench/src/args.rs"]
pub mod args;
#[path = "../../ferrokafka-bench/src/payload.rs"]
pub mod payload;
#[path = "../../ferrokafka-bench/src/stats.rs"]
pub mod stats;

/// librdkafka configuration from Java-named properties, as bench/core/producer_consumer.py's
/// Python-loop driver maps them: `buffer.memory` becomes `queue.buffering.max.kbytes` (with a
/// message-count cap high enough that only the byte cap applies, as in Java), Java-only keys with
/// no librdkafka meaning are dropped, everything else passes through under its own name (librdkafka
/// accepts `acks`, `linger.ms`, `batch.size`, `compression.type`, `enable.idempotence`,
/// `max.in.flight.requests.per.connection`, `security.protocol`, `sasl.mechanism`,
/// `sasl.username`, `sasl.password`, `ssl.ca.location`, ...).
pub fn librdkafka_config(props: &[(String, String)]) -> Result<rdkafka::ClientConfig, String> {
    let mut cfg = rdkafka::ClientConfig::new();
    cfg.set("queue.buffering.max.messages", "2000000");
    for (k, v) in props {
        match k.as_str() {
            "buffer.memory" => {
                let bytes: u64 = v
                    .parse()
                    .map_err(|_| format!("buffer.memory={v} is not a number"))?;
                cfg.set("queue.buffering.max.kbytes", (bytes / 1024).to_string());
            }
            // Java-only: serializers, and the JKS/PKCS12 store keys (librdkafka takes PEM files
            // through ssl.ca.location and friends).
            "key.serializer"
            | "value.serializer"
            | "key.deserializer"
            | "value.deserializer"
            | "ssl.truststore.location"
            | "ssl.truststore.password"
            | "ssl.truststore.type"
            | "sasl.jaas.config" => {}
            _ => {
                cfg.set(k, v);
            }
        }
    }
    Ok(cfg)
}

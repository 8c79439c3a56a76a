//! Topic-level configuration: the keys Kafka knows, their defaults (taken from the broker's
//! settings, as Kafka does), validation, and the translation into the log's `LogConfig`.
//!
//! Owns no state: topic overrides themselves live in the topic registry.

use std::collections::BTreeMap;

use crate::config::BrokerConfig;
use crate::log::{LogConfig, TimestampType};

/// The value type Kafka reports for a config in DescribeConfigs v3+.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    Boolean = 1,
    String = 2,
    Int = 3,
    Long = 5,
    Double = 6,
    List = 7,
}

/// One topic config key: its type and how its default follows from the broker config.
pub struct TopicConfigKey {
    pub name: &'static str,
    pub ty: ConfigType,
    default: fn(&BrokerConfig) -> String,
}

impl TopicConfigKey {
    pub fn default_value(&self, broker: &BrokerConfig) -> String {
        (self.default)(broker)
    }
}

macro_rules! key {
    ($name:literal, $ty:ident, $default:expr) => {
        TopicConfigKey {
            name: $name,
            ty: ConfigType::$ty,
            default: $default,
        }
    };
}

/// Every topic config Apache Kafka 4.x accepts, in the order Kafka 4.3.1 lists them in a
/// DescribeConfigs answer (its config map's hash order, the same whatever is overridden; measured
/// on 4.3.1). Kafka's kafka-topics prints a topic's overrides in an order that follows from it.
pub static TOPIC_CONFIG_KEYS: &[TopicConfigKey] = &[
    key!("compression.type", String, |_| "producer".into()),
    key!("remote.log.delete.on.disable", Boolean, |_| "false".into()),
    key!("leader.replication.throttled.replicas", List, |_| "".into()),
    key!("remote.storage.enable", Boolean, |_| "false".into()),
    key!("min.insync.replicas", Int, |_| "1".into()),
    key!("segment.jitter.ms", Long, |_| "0".into()),
    key!("remote.log.copy.disable", Boolean, |_| "false".into()),
    key!("local.retention.ms", Long, |_| "-2".into()),
    key!("cleanup.policy", List, |b| b.log_cleanup_policy.clone()),
    key!("flush.ms", Long, |b| long_or_max(
        b.log_flush_interval_ms as i128
    )),
    key!("follower.replication.throttled.replicas", List, |_| ""
        .into()),
    key!("compression.lz4.level", Int, |_| "9".into()),
    key!("segment.bytes", Int, |b| b.log_segment_bytes.to_string()),
    key!("retention.ms", Long, |b| b.log_retention_ms.to_string()),
    key!("compression.gzip.level", Int, |_| "-1".into()),
    key!("flush.messages", Long, |b| long_or_max(
        b.log_flush_interval_messages as i128
    )),
    key!("compression.zstd.level", Int, |_| "3".into()),
    key!("max.compaction.lag.ms", Long, |_| i64::MAX.to_string()),
    key!("file.delete.delay.ms", Long, |_| "60000".into()),
    key!("max.message.bytes", Int, |b| b
        .message_max_bytes
        .to_string()),
    key!("min.compaction.lag.ms", Long, |_| "0".into()),
    key!("message.timestamp.type", String, |b| b
        .log_message_timestamp_type
        .clone()),
    key!("local.retention.bytes", Long, |_| "-2".into()),
    key!("preallocate", Boolean, |_| "false".into()),
    key!("index.interval.bytes", Int, |b| b
        .log_index_interval_bytes
        .to_string()),
    key!("min.cleanable.dirty.ratio", Double, |_| "0.5".into()),
    key!("unclean.leader.election.enable", Boolean, |_| "false"
        .into()),
    key!("retention.bytes", Long, |b| b
        .log_retention_bytes
        .to_string()),
    key!("delete.retention.ms", Long, |_| "86400000".into()),
    key!("message.timestamp.after.max.ms", Long, |_| "3600000".into()),
    key!("message.timestamp.before.max.ms", Long, |_| i64::MAX
        .to_string()),
    key!("segment.ms", Long, |b| b.log_roll_ms.to_string()),
    key!("segment.index.bytes", Int, |b| b
        .log_index_size_max_bytes
        .to_string()),
];

fn long_or_max(v: i128) -> String {
    v.min(i64::MAX as i128).to_string()
}

/// Looks up a topic config key by name.
pub fn lookup(name: &str) -> Option<&'static TopicConfigKey> {
    TOPIC_CONFIG_KEYS.iter().find(|k| k.name == name)
}

/// Why a topic config was refused; answered as INVALID_CONFIG (40) with this message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidTopicConfig(pub String);

/// Checks one key/value the way Kafka's LogConfig validation does.
pub fn validate(name: &str, value: &str) -> Result<(), InvalidTopicConfig> {
    let key = lookup(name).ok_or_else(|| {
        InvalidTopicConfig(format!(
            "Unknown topic config name: {name}. See kafka-configs --describe --all for the known ones."
        ))
    })?;
    let bad = |what: &str| {
        InvalidTopicConfig(format!(
            "Invalid value {value} for configuration {name}: {what}"
        ))
    };
    match key.ty {
        ConfigType::Boolean => {
            if !matches!(value.to_ascii_lowercase().as_str(), "true" | "false") {
                return Err(bad("Expected value to be either true or false"));
            }
        }
        ConfigType::Int => {
            value
                .trim()
                .parse::<i32>()
                .map_err(|_| bad("Not a number of type INT"))?;
        }
        ConfigType::Long => {
            value
                .trim()
                .parse::<i64>()
                .map_err(|_| bad("Not a number of type LONG"))?;
        }
        ConfigType::Double => {
            value
                .trim()
                .parse::<f64>()
                .map_err(|_| bad("Not a number of type DOUBLE"))?;
        }
        ConfigType::String | ConfigType::List => {}
    }
    match name {
        "cleanup.policy" => {
            for p in value.split(',').map(str::trim) {
                if p != "delete" && p != "compact" {
                    return Err(bad("String must be one of: compact, delete"));
                }
            }
        }
        "compression.type"
            if !["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"].contains(&value) =>
        {
            return Err(bad(
                "String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer",
            ));
        }
        "message.timestamp.type" if value != "CreateTime" && value != "LogAppendTime" => {
            return Err(bad("String must be one of: CreateTime, LogAppendTime"));
        }
        "segment.bytes" => {
            let n: i64 = value.trim().parse().unwrap_or(0);
            if n < 14 {
                return Err(bad("Value must be at least 14"));
            }
        }
        "max.message.bytes" | "segment.index.bytes" => {
            let n: i64 = value.trim().parse().unwrap_or(-1);
            if n < 0 {
                return Err(bad("Value must be at least 0"));
            }
        }
        "flush.messages" | "flush.ms" | "segment.ms" => {
            let n: i64 = value.trim().parse().unwrap_or(0);
            if n < 1 {
                return Err(bad("Value must be at least 1"));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The effective value of `name` for a topic: its override, else the broker-derived default.
pub fn effective(
    name: &str,
    overrides: &BTreeMap<String, String>,
    broker: &BrokerConfig,
) -> Option<String> {
    overrides
        .get(name)
        .cloned()
        .or_else(|| lookup(name).map(|k| k.default_value(broker)))
}

/// Builds the log settings of a topic from its overrides and the broker defaults.
pub fn log_config(overrides: &BTreeMap<String, String>, broker: &BrokerConfig) -> LogConfig {
    let get = |name: &str| effective(name, overrides, broker).unwrap_or_default();
    let int = |name: &str, fallback: i64| get(name).trim().parse::<i64>().unwrap_or(fallback);
    let defaults = LogConfig::default();
    LogConfig {
        segment_bytes: int("segment.bytes", defaults.segment_bytes as i64).max(14) as u64,
        segment_ms: int("segment.ms", defaults.segment_ms),
        retention_ms: int("retention.ms", defaults.retention_ms),
        retention_bytes: int("retention.bytes", defaults.retention_bytes),
        index_interval_bytes: int("index.interval.bytes", defaults.index_interval_bytes as i64)
            .clamp(0, u32::MAX as i64) as u32,
        segment_index_bytes: int("segment.index.bytes", defaults.segment_index_bytes as i64)
            .clamp(0, u32::MAX as i64) as u32,
        max_message_bytes: int("max.message.bytes", defaults.max_message_bytes as i64)
            .clamp(0, u32::MAX as i64) as u32,
        message_timestamp_type: if get("message.timestamp.type") == "LogAppendTime" {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        },
        message_timestamp_before_max_ms: int(
            "message.timestamp.before.max.ms",
            defaults.message_timestamp_before_max_ms,
        ),
        message_timestamp_after_max_ms: int(
            "message.timestamp.after.max.ms",
            defaults.message_timestamp_after_max_ms,
        ),
        producer_id_expiration_ms: broker.producer_id_expiration_ms,
        flush_messages: int("flush.messages", i64::MAX).max(1) as u64,
        flush_ms: int("flush.ms", i64::MAX).max(1),
        compact: get("cleanup.policy").contains("compact"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_broker_settings() {
        let broker = BrokerConfig::from_pairs([("log.retention.hours", "1")]).unwrap();
        let none = BTreeMap::new();
        assert_eq!(
            effective("retention.ms", &none, &broker).unwrap(),
            "3600000"
        );
        let lc = log_config(&none, &broker);
        assert_eq!(lc.retention_ms, 3_600_000);
        assert_eq!(lc.max_message_bytes, 1_048_588);
    }

    #[test]
    fn overrides_win_and_validation_names_the_problem() {
        let broker = BrokerConfig::default();
        let mut o = BTreeMap::new();
        o.insert("segment.bytes".to_string(), "1048576".to_string());
        o.insert("cleanup.policy".to_string(), "compact,delete".to_string());
        let lc = log_config(&o, &broker);
        assert_eq!(lc.segment_bytes, 1_048_576);
        assert!(lc.compact);
        assert!(validate("retention.ms", "abc")
            .unwrap_err()
            .to_string()
            .contains("retention.ms"));
        assert!(validate("no.such.key", "1").is_err());
        assert!(validate("cleanup.policy", "forever").is_err());
        assert!(validate("retention.ms", "-1").is_ok());
    }
}

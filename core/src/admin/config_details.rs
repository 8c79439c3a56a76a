//! DescribeConfigs with each entry's source and synonyms, as `kafka-configs --describe` prints
//! them (`synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=..., DEFAULT_CONFIG:log.retention.hours=...}`).
//! The plain [`ConfigEntry`](super::ConfigEntry) view stays in `configs.rs`.

use super::{Admin, ConfigResource};
use crate::error::Result;

/// One synonym of a config: where a value comes from, in precedence order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSynonym {
    pub name: String,
    pub value: Option<String>,
    /// Kafka's `ConfigEntry.ConfigSource` name, e.g. `STATIC_BROKER_CONFIG`.
    pub source: &'static str,
}

/// A config with its source and synonyms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDetail {
    pub name: String,
    pub value: Option<String>,
    pub source: &'static str,
    pub sensitive: bool,
    pub read_only: bool,
    pub synonyms: Vec<ConfigSynonym>,
    /// The broker's type id for the config (DescribeConfigs v3+: 1 BOOLEAN ... 8 PASSWORD; 0 unknown).
    pub config_type: i8,
    /// The documentation the broker sent (only when asked for, by Kafka's brokers).
    pub documentation: Option<String>,
}

/// Kafka's `ConfigEntry.ConfigSource` names by wire id.
pub fn config_source_name(id: i8) -> &'static str {
    match id {
        1 => "DYNAMIC_TOPIC_CONFIG",
        2 => "DYNAMIC_BROKER_CONFIG",
        3 => "DYNAMIC_DEFAULT_BROKER_CONFIG",
        4 => "STATIC_BROKER_CONFIG",
        5 => "DEFAULT_CONFIG",
        6 => "DYNAMIC_BROKER_LOGGER_CONFIG",
        7 => "DYNAMIC_CLIENT_METRICS_CONFIG",
        8 => "DYNAMIC_GROUP_CONFIG",
        _ => "UNKNOWN",
    }
}

impl Admin {
    /// Every config of `resource` with its source, and synonyms when `synonyms` is set.
    pub async fn describe_config_details(
        &self,
        resource: &ConfigResource,
        synonyms: bool,
    ) -> Result<Vec<ConfigDetail>> {
        let mut out = Vec::new();
        for r in &self.describe_resource(resource, None, synonyms).await? {
            for c in &r.configs {
                out.push(ConfigDetail {
                    name: c.name.to_string(),
                    value: c.value.as_ref().map(|v| v.to_string()),
                    source: config_source_name(c.config_source),
                    sensitive: c.is_sensitive,
                    read_only: c.read_only,
                    synonyms: c
                        .synonyms
                        .iter()
                        .map(|s| ConfigSynonym {
                            name: s.name.to_string(),
                            value: s.value.as_ref().map(|v| v.to_string()),
                            source: config_source_name(s.source),
                        })
                        .collect(),
                    config_type: c.config_type,
                    documentation: c.documentation.as_ref().map(|d| d.to_string()),
                });
            }
        }
        Ok(out)
    }
}

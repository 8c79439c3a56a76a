//! Group-level configs (config resource type GROUP, 32): the keys Kafka 4.3.1's `GroupConfig`
//! knows, each defaulting to its broker setting (`group.consumer.session.timeout.ms`, ...), the
//! validation Kafka applies (names, types, the broker's min/max bounds, session > heartbeat) with
//! its messages, and the durable per-group overrides in `__ferrokafka/group-configs.json`.
//!
//! These keys steer KIP-848 consumer, share and streams groups. This broker runs classic groups
//! only, which Kafka does not configure through them either: the overrides are stored and
//! reported (so `kafka-configs --entity-type groups` and Admin calls behave as on Kafka) and
//! change nothing in how a classic group rebalances.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use crate::config::BrokerConfig;
use crate::config_synonyms::{DEFAULT_CONFIG, DYNAMIC_GROUP_CONFIG, STATIC_BROKER_CONFIG};
use crate::durable;
use crate::error::BrokerError;
use crate::topic_config::ConfigType;

/// One group config: its type, the broker key it defaults to (with Kafka's default), and the
/// broker keys bounding it (with their defaults), if any.
pub struct GroupConfigKey {
    pub name: &'static str,
    pub ty: ConfigType,
    pub broker_key: &'static str,
    default: &'static str,
    min: Option<(&'static str, i64)>,
    max: Option<(&'static str, i64)>,
}

impl GroupConfigKey {
    /// The value in force without an override: the broker setting as given, else Kafka's default.
    pub fn default_value(&self, broker: &BrokerConfig) -> String {
        broker
            .given
            .get(self.broker_key)
            .cloned()
            .unwrap_or_else(|| self.default.to_string())
    }

    /// Whether the broker setting it defaults to was given in server.properties/--override.
    pub fn broker_key_given(&self, broker: &BrokerConfig) -> bool {
        broker.given.contains_key(self.broker_key)
    }
}

const fn key(
    name: &'static str,
    ty: ConfigType,
    broker_key: &'static str,
    default: &'static str,
) -> GroupConfigKey {
    GroupConfigKey {
        name,
        ty,
        broker_key,
        default,
        min: None,
        max: None,
    }
}

const fn bounded(
    name: &'static str,
    broker_key: &'static str,
    default: &'static str,
    min: Option<(&'static str, i64)>,
    max: Option<(&'static str, i64)>,
) -> GroupConfigKey {
    GroupConfigKey {
        name,
        ty: ConfigType::Int,
        broker_key,
        default,
        min,
        max,
    }
}

/// Kafka 4.3.1's group configs, by name (the order `kafka-configs --describe --all` prints).
pub static GROUP_CONFIG_KEYS: &[GroupConfigKey] = &[
    key(
        "consumer.assignment.interval.ms",
        ConfigType::Int,
        "group.consumer.assignment.interval.ms",
        "1000",
    ),
    bounded(
        "consumer.heartbeat.interval.ms",
        "group.consumer.heartbeat.interval.ms",
        "5000",
        Some(("group.consumer.min.heartbeat.interval.ms", 5000)),
        Some(("group.consumer.max.heartbeat.interval.ms", 15000)),
    ),
    bounded(
        "consumer.session.timeout.ms",
        "group.consumer.session.timeout.ms",
        "45000",
        Some(("group.consumer.min.session.timeout.ms", 45000)),
        Some(("group.consumer.max.session.timeout.ms", 60000)),
    ),
    key(
        "share.assignment.interval.ms",
        ConfigType::Int,
        "group.share.assignment.interval.ms",
        "1000",
    ),
    key(
        "share.auto.offset.reset",
        ConfigType::String,
        "share.auto.offset.reset",
        "latest",
    ),
    bounded(
        "share.delivery.count.limit",
        "group.share.delivery.count.limit",
        "5",
        Some(("group.share.min.delivery.count.limit", 2)),
        Some(("group.share.max.delivery.count.limit", 10)),
    ),
    bounded(
        "share.heartbeat.interval.ms",
        "group.share.heartbeat.interval.ms",
        "5000",
        Some(("group.share.min.heartbeat.interval.ms", 5000)),
        Some(("group.share.max.heartbeat.interval.ms", 15000)),
    ),
    key(
        "share.isolation.level",
        ConfigType::String,
        "share.isolation.level",
        "read_uncommitted",
    ),
    bounded(
        "share.partition.max.record.locks",
        "group.share.partition.max.record.locks",
        "2000",
        Some(("group.share.min.partition.max.record.locks", 100)),
        Some(("group.share.max.partition.max.record.locks", 4000)),
    ),
    bounded(
        "share.record.lock.duration.ms",
        "group.share.record.lock.duration.ms",
        "30000",
        Some(("group.share.min.record.lock.duration.ms", 15000)),
        Some(("group.share.max.record.lock.duration.ms", 60000)),
    ),
    key(
        "share.renew.acknowledge.enable",
        ConfigType::Boolean,
        "share.renew.acknowledge.enable",
        "true",
    ),
    bounded(
        "share.session.timeout.ms",
        "group.share.session.timeout.ms",
        "45000",
        Some(("group.share.min.session.timeout.ms", 45000)),
        Some(("group.share.max.session.timeout.ms", 60000)),
    ),
    key(
        "streams.assignment.interval.ms",
        ConfigType::Int,
        "group.streams.assignment.interval.ms",
        "1000",
    ),
    bounded(
        "streams.heartbeat.interval.ms",
        "group.streams.heartbeat.interval.ms",
        "5000",
        Some(("group.streams.min.heartbeat.interval.ms", 5000)),
        Some(("group.streams.max.heartbeat.interval.ms", 15000)),
    ),
    key(
        "streams.initial.rebalance.delay.ms",
        ConfigType::Int,
        "group.streams.initial.rebalance.delay.ms",
        "3000",
    ),
    bounded(
        "streams.num.standby.replicas",
        "group.streams.num.standby.replicas",
        "0",
        None,
        Some(("group.streams.max.standby.replicas", 2)),
    ),
    bounded(
        "streams.session.timeout.ms",
        "group.streams.session.timeout.ms",
        "45000",
        Some(("group.streams.min.session.timeout.ms", 45000)),
        Some(("group.streams.max.session.timeout.ms", 60000)),
    ),
];

/// Looks up a group config key by name.
pub fn lookup(name: &str) -> Option<&'static GroupConfigKey> {
    GROUP_CONFIG_KEYS.iter().find(|k| k.name == name)
}

/// One group config as DescribeConfigs reports it, with its synonym chain (name, value, source).
pub struct Described {
    pub key: &'static GroupConfigKey,
    pub value: String,
    pub source: i8,
    pub synonyms: Vec<(String, String, i8)>,
}

/// Every group config of a group with these overrides: the override
/// (`DYNAMIC_GROUP_CONFIG:consumer.session.timeout.ms=50000`), then the broker setting it
/// defaults to (`STATIC_BROKER_CONFIG` when given, else `DEFAULT_CONFIG`), as Kafka lists them.
pub fn describe(overrides: &BTreeMap<String, String>, broker: &BrokerConfig) -> Vec<Described> {
    GROUP_CONFIG_KEYS
        .iter()
        .map(|k| {
            let default_source = if k.broker_key_given(broker) {
                STATIC_BROKER_CONFIG
            } else {
                DEFAULT_CONFIG
            };
            let mut synonyms = Vec::new();
            if let Some(v) = overrides.get(k.name) {
                synonyms.push((k.name.to_string(), v.clone(), DYNAMIC_GROUP_CONFIG));
            }
            synonyms.push((
                k.broker_key.to_string(),
                k.default_value(broker),
                default_source,
            ));
            let (_, value, source) = synonyms[0].clone();
            Described {
                key: k,
                value,
                source,
                synonyms,
            }
        })
        .collect()
}

/// (session key, heartbeat key) pairs whose session must exceed the heartbeat.
const SESSION_OVER_HEARTBEAT: [(&str, &str); 3] = [
    (
        "consumer.session.timeout.ms",
        "consumer.heartbeat.interval.ms",
    ),
    ("share.session.timeout.ms", "share.heartbeat.interval.ms"),
    (
        "streams.session.timeout.ms",
        "streams.heartbeat.interval.ms",
    ),
];

/// Checks a group's complete set of overrides as Kafka's `GroupConfig.validate` does (merged
/// with the broker defaults); the error is the message Kafka sends with INVALID_CONFIG.
pub fn validate(overrides: &BTreeMap<String, String>, broker: &BrokerConfig) -> Result<(), String> {
    let mut ints = BTreeMap::new();
    for k in GROUP_CONFIG_KEYS {
        let value = overrides
            .get(k.name)
            .cloned()
            .unwrap_or_else(|| k.default_value(broker));
        check_type(k, &value)?;
        if k.ty == ConfigType::Int {
            ints.insert(k.name, value.trim().parse::<i64>().unwrap_or_default());
        }
    }
    if let Some(name) = overrides.keys().find(|n| lookup(n).is_none()) {
        return Err(format!("Unknown group config name: {name}"));
    }
    let bound = |(key, default): (&str, i64)| {
        broker
            .given
            .get(key)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    };
    for k in GROUP_CONFIG_KEYS {
        let Some(&v) = ints.get(k.name) else { continue };
        if let Some(min) = k.min.filter(|m| v < bound(*m)) {
            return Err(format!(
                "{} must be greater than or equal to {}",
                k.name, min.0
            ));
        }
        if let Some(max) = k.max.filter(|m| v > bound(*m)) {
            return Err(format!(
                "{} must be less than or equal to {}",
                k.name, max.0
            ));
        }
    }
    for (session, heartbeat) in SESSION_OVER_HEARTBEAT {
        if ints.get(session) <= ints.get(heartbeat) {
            return Err(format!("{session} must be greater than {heartbeat}"));
        }
    }
    Ok(())
}

fn check_type(k: &GroupConfigKey, value: &str) -> Result<(), String> {
    let v = value.trim();
    let bad = |expected: &str| {
        Err(format!(
            "Invalid value {value} for configuration {}: {expected}",
            k.name
        ))
    };
    match k.ty {
        ConfigType::Int => match v.parse::<i32>() {
            Ok(n) if n < 0 => bad("Value must be at least 0"),
            Ok(_) => Ok(()),
            Err(_) => bad("Not a number of type INT"),
        },
        ConfigType::Boolean if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") => {
            bad("Expected value to be either true or false")
        }
        _ if k.name == "share.isolation.level"
            && v != "read_committed"
            && v != "read_uncommitted" =>
        {
            bad("String must be one of: read_committed, read_uncommitted")
        }
        _ if k.name == "share.auto.offset.reset"
            && v != "latest"
            && v != "earliest"
            && !v.starts_with("by_duration:") =>
        {
            bad("Invalid value for share.auto.offset.reset; expected latest, earliest or by_duration:<ISO 8601 duration>")
        }
        _ => Ok(()),
    }
}

/// The dynamic group configs, by group id, replaced atomically on every change.
pub struct GroupConfigStore {
    path: PathBuf,
    groups: RwLock<BTreeMap<String, BTreeMap<String, String>>>,
}

impl GroupConfigStore {
    /// Opens (or starts empty) the store in the broker's metadata directory.
    pub fn open(meta_dir: &Path) -> Result<GroupConfigStore, BrokerError> {
        let path = meta_dir.join("group-configs.json");
        let groups = durable::read_json(&path)?;
        Ok(GroupConfigStore {
            path,
            groups: RwLock::new(groups),
        })
    }

    /// A group's overrides (empty when it has none).
    pub fn get(&self, group: &str) -> BTreeMap<String, String> {
        let groups = self.groups.read().unwrap_or_else(|p| p.into_inner());
        groups.get(group).cloned().unwrap_or_default()
    }

    /// The groups that have at least one override.
    pub fn groups(&self) -> Vec<String> {
        let groups = self.groups.read().unwrap_or_else(|p| p.into_inner());
        groups.keys().cloned().collect()
    }

    /// Replaces a group's overrides (an empty map removes the group) and persists the store.
    pub fn set(&self, group: &str, configs: BTreeMap<String, String>) -> Result<(), BrokerError> {
        let mut groups = self.groups.write().unwrap_or_else(|p| p.into_inner());
        let mut next = groups.clone();
        if configs.is_empty() {
            next.remove(group);
        } else {
            next.insert(group.to_string(), configs);
        }
        durable::write_json(&self.path, &next)?;
        *groups = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broker() -> BrokerConfig {
        BrokerConfig::default()
    }

    fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn validation_gives_kafkas_messages() {
        let b = broker();
        assert_eq!(
            validate(&set(&[("consumer.session.timeout.ms", "50000")]), &b),
            Ok(())
        );
        assert_eq!(
            validate(&set(&[("foo", "1")]), &b),
            Err("Unknown group config name: foo".into())
        );
        assert_eq!(
            validate(&set(&[("consumer.session.timeout.ms", "1")]), &b),
            Err("consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms".into())
        );
        assert_eq!(
            validate(&set(&[("streams.num.standby.replicas", "3")]), &b),
            Err("streams.num.standby.replicas must be less than or equal to group.streams.max.standby.replicas".into())
        );
        assert!(validate(&set(&[("share.isolation.level", "dirty")]), &b).is_err());
        assert!(validate(&set(&[("consumer.heartbeat.interval.ms", "x")]), &b).is_err());
    }

    #[test]
    fn bounds_follow_the_broker_settings() {
        let mut b = broker();
        b.given.insert(
            "group.consumer.min.session.timeout.ms".into(),
            "4000".into(),
        );
        assert_eq!(
            validate(&set(&[("consumer.session.timeout.ms", "7000")]), &b),
            Ok(())
        );
        assert_eq!(
            validate(&set(&[("consumer.session.timeout.ms", "5000")]), &b),
            Err(
                "consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms"
                    .into()
            )
        );
    }

    #[test]
    fn overrides_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let store = GroupConfigStore::open(dir.path()).unwrap();
        store
            .set("g1", set(&[("consumer.session.timeout.ms", "50000")]))
            .unwrap();
        store
            .set("g2", set(&[("share.delivery.count.limit", "3")]))
            .unwrap();
        store.set("g2", BTreeMap::new()).unwrap();
        let reopened = GroupConfigStore::open(dir.path()).unwrap();
        assert_eq!(reopened.groups(), vec!["g1".to_string()]);
        assert_eq!(
            reopened.get("g1"),
            set(&[("consumer.session.timeout.ms", "50000")])
        );
    }
}

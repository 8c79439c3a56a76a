//! Client quota settings as Kafka keeps them (AlterClientQuotas / DescribeClientQuotas): per
//! entity — a user, a client id, a user's client id, an IP, or the default of each — its quota
//! values, validated as Kafka 4.3.1's ClientQuotaControlManager does and kept in
//! `__ferrokafka/client-quotas.json`, replaced atomically on every change.
//!
//! Owns storage, validation and filter matching only. This broker does not throttle: the values
//! are stored and reported so operators' `kafka-configs` scripts and Admin calls work as on
//! Kafka, and the README says they are not enforced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

use crate::durable;
use crate::error::BrokerError;

pub const USER: &str = "user";
pub const CLIENT_ID: &str = "client-id";
pub const IP: &str = "ip";

/// An entity: (entity type, name) pairs sorted by type; a `None` name is that type's default.
pub type Entity = Vec<(String, Option<String>)>;

/// How a filter component matches an entity's name for one entity type.
#[derive(Debug, Clone, PartialEq)]
pub enum NameMatch {
    /// This exact name (match type 0).
    Exact(String),
    /// The type's default entity (match type 1).
    Default,
    /// Any entity of the type, the default included (match type 2, as Kafka's
    /// ClientQuotasImage matches it).
    Specified,
}

/// Keys Kafka accepts per entity kind.
const USER_CLIENT_KEYS: [&str; 4] = [
    "producer_byte_rate",
    "consumer_byte_rate",
    "request_percentage",
    "controller_mutation_rate",
];
const IP_KEYS: [&str; 1] = ["connection_creation_rate"];

/// Why an entity or a value was refused: answered as INVALID_REQUEST with this message.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct InvalidQuota(pub String);

/// Checks an entity's shape (user, client-id, user + client-id, or ip) and returns it sorted.
pub fn validate_entity(mut entity: Entity) -> Result<Entity, InvalidQuota> {
    entity.sort();
    let types: Vec<&str> = entity.iter().map(|(t, _)| t.as_str()).collect();
    match types.as_slice() {
        [USER] | [CLIENT_ID] | [CLIENT_ID, USER] | [IP] => Ok(entity),
        [] => Err(InvalidQuota("Invalid empty client quota entity".into())),
        _ if types.iter().any(|t| ![USER, CLIENT_ID, IP].contains(t)) => Err(InvalidQuota(
            format!("Unhandled client quota entity type in {types:?}"),
        )),
        _ => Err(InvalidQuota(format!(
            "Invalid quota entity combination {types:?}: use user, client-id, user and client-id, or ip"
        ))),
    }
}

/// Checks one quota key and value for an entity.
pub fn validate_value(entity: &Entity, key: &str, value: f64) -> Result<(), InvalidQuota> {
    let is_ip = entity.iter().any(|(t, _)| t == IP);
    let allowed: &[&str] = if is_ip { &IP_KEYS } else { &USER_CLIENT_KEYS };
    if !allowed.contains(&key) {
        return Err(InvalidQuota(format!("Invalid configuration key {key}")));
    }
    if !value.is_finite() || value <= 0.0 {
        return Err(InvalidQuota(format!(
            "Illegal value for {key}: {value}; quota values must be positive"
        )));
    }
    let whole = [
        "producer_byte_rate",
        "consumer_byte_rate",
        "connection_creation_rate",
    ];
    if whole.contains(&key) && value.fract() != 0.0 {
        return Err(InvalidQuota(format!("{key} cannot be a fractional value.")));
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct Stored {
    entity: Entity,
    values: BTreeMap<String, f64>,
}

/// Quota values by entity.
pub struct QuotaStore {
    path: PathBuf,
    entries: RwLock<BTreeMap<Entity, BTreeMap<String, f64>>>,
}

impl QuotaStore {
    /// Opens (or starts empty) the store in the broker's metadata directory.
    pub fn open(meta_dir: &Path) -> Result<QuotaStore, BrokerError> {
        let path = meta_dir.join("client-quotas.json");
        let list: Vec<Stored> = durable::read_json(&path)?;
        let entries = list.into_iter().map(|s| (s.entity, s.values)).collect();
        Ok(QuotaStore {
            path,
            entries: RwLock::new(entries),
        })
    }

    /// The entities matching every component (and, when `strict`, having no other entity
    /// type), with their values, as Kafka's DescribeClientQuotas filters them.
    pub fn describe(
        &self,
        components: &[(String, NameMatch)],
        strict: bool,
    ) -> Vec<(Entity, BTreeMap<String, f64>)> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .iter()
            .filter(|(entity, _)| {
                let matches_all = components.iter().all(|(ty, m)| {
                    entity.iter().any(|(t, name)| {
                        t == ty
                            && match (m, name) {
                                (NameMatch::Exact(want), Some(n)) => want == n,
                                (NameMatch::Default, None) => true,
                                (NameMatch::Specified, _) => true,
                                _ => false,
                            }
                    })
                });
                matches_all && (!strict || entity.len() == components.len())
            })
            .map(|(e, v)| (e.clone(), v.clone()))
            .collect()
    }

    /// Applies `ops` (key, Some(value) to set or None to remove) to one validated entity and
    /// persists the store; an entity left with no value is dropped.
    pub fn alter(&self, entity: Entity, ops: &[(String, Option<f64>)]) -> Result<(), BrokerError> {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        let mut next = entries.clone();
        let values = next.entry(entity.clone()).or_default();
        for (key, value) in ops {
            match value {
                Some(v) => {
                    values.insert(key.clone(), *v);
                }
                None => {
                    values.remove(key);
                }
            }
        }
        if values.is_empty() {
            next.remove(&entity);
        }
        let list: Vec<Stored> = next
            .iter()
            .map(|(e, v)| Stored {
                entity: e.clone(),
                values: v.clone(),
            })
            .collect();
        durable::write_json(&self.path, &list)?;
        *entries = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(parts: &[(&str, Option<&str>)]) -> Entity {
        let e = parts
            .iter()
            .map(|(t, n)| (t.to_string(), n.map(String::from)))
            .collect();
        validate_entity(e).unwrap()
    }

    #[test]
    fn entities_and_values_are_checked_as_kafka_does() {
        assert!(validate_entity(vec![(IP.into(), None), (USER.into(), None)]).is_err());
        assert!(validate_entity(vec![("group".into(), Some("g".into()))]).is_err());
        let alice = entity(&[(USER, Some("alice"))]);
        assert_eq!(validate_value(&alice, "producer_byte_rate", 1024.0), Ok(()));
        assert!(validate_value(&alice, "connection_creation_rate", 5.0).is_err());
        assert!(validate_value(&alice, "producer_byte_rate", -1.0).is_err());
        assert!(validate_value(&alice, "producer_byte_rate", 1.5).is_err());
        assert_eq!(validate_value(&alice, "request_percentage", 50.5), Ok(()));
    }

    #[test]
    fn filters_match_like_describe_client_quotas_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let store = QuotaStore::open(dir.path()).unwrap();
        let alice = entity(&[(USER, Some("alice"))]);
        let alice_app = entity(&[(USER, Some("alice")), (CLIENT_ID, Some("app"))]);
        let default_client = entity(&[(CLIENT_ID, None)]);
        store
            .alter(
                alice.clone(),
                &[("producer_byte_rate".into(), Some(1024.0))],
            )
            .unwrap();
        store
            .alter(
                alice_app.clone(),
                &[("consumer_byte_rate".into(), Some(2048.0))],
            )
            .unwrap();
        store
            .alter(
                default_client.clone(),
                &[("request_percentage".into(), Some(50.0))],
            )
            .unwrap();
        let store = QuotaStore::open(dir.path()).unwrap();
        let users = |strict| {
            store
                .describe(&[(USER.into(), NameMatch::Exact("alice".into()))], strict)
                .into_iter()
                .map(|(e, _)| e)
                .collect::<Vec<_>>()
        };
        assert_eq!(users(true), vec![alice.clone()]);
        assert_eq!(users(false).len(), 2);
        let defaults = store.describe(&[(CLIENT_ID.into(), NameMatch::Default)], true);
        assert_eq!(defaults.len(), 1);
        assert_eq!(defaults[0].1.get("request_percentage"), Some(&50.0));
        store
            .alter(alice.clone(), &[("producer_byte_rate".into(), None)])
            .unwrap();
        assert!(store
            .describe(&[(USER.into(), NameMatch::Specified)], true)
            .is_empty());
    }
}

//! ACLs: the durable ACL store (`__ferrokafka/acls.json`, replaced atomically) and the
//! authoriser that `authorizer.class.name` switches on, with Kafka's StandardAuthorizer
//! semantics: super users pass; ACLs match by resource type and pattern (LITERAL name, LITERAL
//! `*`, PREFIXED), principal (or `User:*`) and host (or `*`); any matching DENY wins; READ,
//! WRITE, DELETE and ALTER imply DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS, ALL implies
//! everything; a resource without any ACL is allowed only with `allow.everyone.if.no.acl.found`.
//! Also the filters of DescribeAcls/DeleteAcls ([`AclFilter`]).

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

use crate::context::{Authorizer, Operation, RequestContext, Resource};
use crate::durable;
use crate::error::BrokerError;

pub use ferrokafka_protocol::acl::{AclOperation, AclPermission, AclResourceType, PatternType};

/// The enums are stored as Kafka's wire codes, so `acls.json` reads the same as before they were
/// typed.
mod wire_code {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<T: Copy + Into<i8>, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i8((*v).into())
    }

    pub fn deserialize<'de, T: From<i8>, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        Ok(T::from(i8::deserialize(d)?))
    }
}

/// One ACL binding, as CreateAcls carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    #[serde(with = "wire_code")]
    pub resource_type: AclResourceType,
    pub resource_name: String,
    #[serde(with = "wire_code")]
    pub pattern_type: PatternType,
    pub principal: String,
    pub host: String,
    #[serde(with = "wire_code")]
    pub operation: AclOperation,
    #[serde(with = "wire_code")]
    pub permission: AclPermission,
}

/// A DescribeAcls / DeleteAcls filter (`None` fields match anything).
#[derive(Debug, Clone)]
pub struct AclFilter {
    pub resource_type: AclResourceType,
    pub resource_name: Option<String>,
    pub pattern_type: PatternType,
    pub principal: Option<String>,
    pub host: Option<String>,
    pub operation: AclOperation,
    pub permission: AclPermission,
}

impl AclFilter {
    pub fn matches(&self, acl: &Acl) -> bool {
        if self.resource_type != AclResourceType::Any && self.resource_type != acl.resource_type {
            return false;
        }
        let name_ok = match (&self.resource_name, self.pattern_type) {
            (None, PatternType::Any | PatternType::Match) => true,
            (None, p) => p == acl.pattern_type,
            (Some(n), PatternType::Any) => *n == acl.resource_name,
            (Some(n), PatternType::Match) => match acl.pattern_type {
                PatternType::Literal => *n == acl.resource_name || acl.resource_name == "*",
                PatternType::Prefixed => n.starts_with(&acl.resource_name),
                _ => false,
            },
            (Some(n), p) => p == acl.pattern_type && *n == acl.resource_name,
        };
        name_ok
            && self.principal.as_ref().is_none_or(|p| *p == acl.principal)
            && self.host.as_ref().is_none_or(|h| *h == acl.host)
            && (self.operation == AclOperation::Any || self.operation == acl.operation)
            && (self.permission == AclPermission::Any || self.permission == acl.permission)
    }
}

/// The broker's ACLs, durable in the metadata directory.
pub struct AclStore {
    path: PathBuf,
    acls: RwLock<Vec<Acl>>,
}

impl AclStore {
    pub fn open(meta_dir: &Path) -> Result<AclStore, BrokerError> {
        let path = meta_dir.join("acls.json");
        let acls = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| BrokerError::Corrupt {
                path: path.clone(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(BrokerError::io(&path, e)),
        };
        Ok(AclStore {
            path,
            acls: RwLock::new(acls),
        })
    }

    pub fn list(&self) -> Vec<Acl> {
        self.acls.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Adds ACLs (an ACL already present is not duplicated) and persists them.
    pub fn add(&self, new: Vec<Acl>) -> Result<(), BrokerError> {
        let mut acls = self.acls.write().unwrap_or_else(|p| p.into_inner());
        let mut next = acls.clone();
        for a in new {
            if !next.contains(&a) {
                next.push(a);
            }
        }
        self.persist(&next)?;
        *acls = next;
        Ok(())
    }

    /// Removes every ACL matching each filter; returns the removed ACLs per filter.
    pub fn remove(&self, filters: &[AclFilter]) -> Result<Vec<Vec<Acl>>, BrokerError> {
        let mut acls = self.acls.write().unwrap_or_else(|p| p.into_inner());
        let removed: Vec<Vec<Acl>> = filters
            .iter()
            .map(|f| acls.iter().filter(|a| f.matches(a)).cloned().collect())
            .collect();
        let next: Vec<Acl> = acls
            .iter()
            .filter(|a| !filters.iter().any(|f| f.matches(a)))
            .cloned()
            .collect();
        if next.len() != acls.len() {
            self.persist(&next)?;
            *acls = next;
        }
        Ok(removed)
    }

    fn persist(&self, acls: &[Acl]) -> Result<(), BrokerError> {
        let bytes = serde_json::to_vec_pretty(acls).map_err(|e| BrokerError::Corrupt {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        durable::write_atomically(&self.path, &bytes, true)?;
        Ok(())
    }
}

/// Kafka's StandardAuthorizer rules over an [`AclStore`].
pub struct AclAuthorizer {
    pub store: std::sync::Arc<AclStore>,
    pub super_users: Vec<String>,
    pub allow_if_no_acl: bool,
}

fn resource_key(resource: Resource<'_>) -> (AclResourceType, &str) {
    match resource {
        Resource::Topic(n) => (AclResourceType::Topic, n),
        Resource::Group(n) => (AclResourceType::Group, n),
        Resource::Cluster => (AclResourceType::Cluster, "kafka-cluster"),
        Resource::TransactionalId(n) => (AclResourceType::TransactionalId, n),
    }
}

fn pattern_matches(acl: &Acl, rtype: AclResourceType, name: &str) -> bool {
    acl.resource_type == rtype
        && match acl.pattern_type {
            PatternType::Literal => acl.resource_name == name || acl.resource_name == "*",
            PatternType::Prefixed => name.starts_with(&acl.resource_name),
            _ => false,
        }
}

impl AclAuthorizer {
    fn decide(
        &self,
        principal: &str,
        host: &str,
        op: AclOperation,
        rtype: AclResourceType,
        name: &str,
    ) -> bool {
        if self.super_users.iter().any(|s| s == principal) {
            return true;
        }
        let acls = self.store.acls.read().unwrap_or_else(|p| p.into_inner());
        let on_resource: Vec<&Acl> = acls
            .iter()
            .filter(|a| pattern_matches(a, rtype, name))
            .collect();
        if on_resource.is_empty() {
            return self.allow_if_no_acl;
        }
        let applies = |a: &&&Acl| {
            (a.principal == principal || a.principal == "User:*")
                && (a.host == host || a.host == "*")
        };
        let denied = on_resource.iter().filter(applies).any(|a| {
            a.permission == AclPermission::Deny
                && (a.operation == op || a.operation == AclOperation::All)
        });
        if denied {
            return false;
        }
        on_resource
            .iter()
            .filter(applies)
            .any(|a| a.permission == AclPermission::Allow && a.operation.implies(op))
    }
}

impl Authorizer for AclAuthorizer {
    fn authorize(&self, ctx: &RequestContext<'_>, op: Operation, resource: Resource<'_>) -> bool {
        let (rtype, name) = resource_key(resource);
        let principal = ctx.principal().to_string();
        let host = ctx.connection.peer.ip().to_string();
        self.decide(&principal, &host, op, rtype, name)
    }

    fn authorize_any_topic(&self, ctx: &RequestContext<'_>, op: Operation) -> bool {
        let principal = ctx.principal().to_string();
        if self.super_users.contains(&principal) {
            return true;
        }
        let host = ctx.connection.peer.ip().to_string();
        let acls = self.store.acls.read().unwrap_or_else(|p| p.into_inner());
        acls.iter().any(|a| {
            a.resource_type == AclResourceType::Topic
                && a.permission == AclPermission::Allow
                && a.operation.implies(op)
                && (a.principal == principal || a.principal == "User:*")
                && (a.host == host || a.host == "*")
        })
    }

    fn acls(&self) -> Option<&AclStore> {
        Some(&self.store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use AclOperation::{All, Describe, Read, Write};
    use AclResourceType::{Group, Topic};

    fn acl(
        rtype: AclResourceType,
        name: &str,
        pattern: PatternType,
        principal: &str,
        op: AclOperation,
        perm: AclPermission,
    ) -> Acl {
        Acl {
            resource_type: rtype,
            resource_name: name.into(),
            pattern_type: pattern,
            principal: principal.into(),
            host: "*".into(),
            operation: op,
            permission: perm,
        }
    }

    #[test]
    fn kafkas_rules_literal_prefixed_wildcard_deny_and_implication() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(AclStore::open(dir.path()).unwrap());
        store
            .add(vec![
                acl(
                    Topic,
                    "orders",
                    PatternType::Literal,
                    "User:alice",
                    Write,
                    AclPermission::Allow,
                ),
                acl(
                    Topic,
                    "logs-",
                    PatternType::Prefixed,
                    "User:*",
                    Read,
                    AclPermission::Allow,
                ),
                acl(
                    Topic,
                    "logs-secret",
                    PatternType::Literal,
                    "User:bob",
                    All,
                    AclPermission::Deny,
                ),
                acl(
                    Group,
                    "*",
                    PatternType::Literal,
                    "User:alice",
                    Read,
                    AclPermission::Allow,
                ),
            ])
            .unwrap();
        let a = AclAuthorizer {
            store: store.clone(),
            super_users: vec!["User:admin".into()],
            allow_if_no_acl: false,
        };
        let d = |p: &str, op: AclOperation, t: AclResourceType, n: &str| {
            a.decide(p, "10.0.0.1", op, t, n)
        };
        assert!(d("User:alice", Write, Topic, "orders"));
        assert!(
            d("User:alice", Describe, Topic, "orders"),
            "WRITE implies DESCRIBE"
        );
        assert!(!d("User:alice", Read, Topic, "orders"));
        assert!(!d("User:bob", Write, Topic, "orders"));
        assert!(d("User:bob", Read, Topic, "logs-app"));
        assert!(!d("User:bob", Read, Topic, "logs-secret"), "deny wins");
        assert!(d("User:carol", Read, Topic, "logs-secret"));
        assert!(d("User:alice", Read, Group, "any-group"));
        assert!(!d("User:alice", Read, Topic, "no-acls-here"));
        assert!(d("User:admin", Read, Topic, "no-acls-here"), "super user");
        let open = AclAuthorizer {
            store: store.clone(),
            super_users: vec![],
            allow_if_no_acl: true,
        };
        assert!(open.decide("User:x", "h", Read, Topic, "no-acls-here"));
        assert!(!open.decide("User:x", "h", Read, Topic, "orders"));
        // Durable.
        assert_eq!(AclStore::open(dir.path()).unwrap().list().len(), 4);
        let f = AclFilter {
            resource_type: Topic,
            resource_name: Some("logs-x".into()),
            pattern_type: PatternType::Match,
            principal: None,
            host: None,
            operation: AclOperation::Any,
            permission: AclPermission::Any,
        };
        assert_eq!(store.remove(&[f]).unwrap()[0].len(), 1);
        assert_eq!(AclStore::open(dir.path()).unwrap().list().len(), 3);
    }
}

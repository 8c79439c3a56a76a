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

// Kafka's wire codes.
pub const RESOURCE_ANY: i8 = 1;
pub const RESOURCE_TOPIC: i8 = 2;
pub const RESOURCE_GROUP: i8 = 3;
pub const RESOURCE_CLUSTER: i8 = 4;
pub const RESOURCE_TRANSACTIONAL_ID: i8 = 5;
pub const PATTERN_ANY: i8 = 1;
pub const PATTERN_MATCH: i8 = 2;
pub const PATTERN_LITERAL: i8 = 3;
pub const PATTERN_PREFIXED: i8 = 4;
pub const OP_ANY: i8 = 1;
pub const OP_ALL: i8 = 2;
pub const PERMISSION_ANY: i8 = 1;
pub const PERMISSION_DENY: i8 = 2;
pub const PERMISSION_ALLOW: i8 = 3;

/// Kafka's AclOperation code of an operation.
pub fn op_code(op: Operation) -> i8 {
    match op {
        Operation::Read => 3,
        Operation::Write => 4,
        Operation::Create => 5,
        Operation::Delete => 6,
        Operation::Alter => 7,
        Operation::Describe => 8,
        Operation::ClusterAction => 9,
        Operation::DescribeConfigs => 10,
        Operation::AlterConfigs => 11,
        Operation::IdempotentWrite => 12,
    }
}

/// Valid operation codes of a concrete ACL (ALL through TWO_PHASE_COMMIT).
pub fn valid_op(code: i8) -> bool {
    (OP_ALL..=15).contains(&code)
}

/// One ACL binding, as CreateAcls carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    pub resource_type: i8,
    pub resource_name: String,
    pub pattern_type: i8,
    pub principal: String,
    pub host: String,
    pub operation: i8,
    pub permission: i8,
}

/// A DescribeAcls / DeleteAcls filter (`None` fields match anything).
#[derive(Debug, Clone)]
pub struct AclFilter {
    pub resource_type: i8,
    pub resource_name: Option<String>,
    pub pattern_type: i8,
    pub principal: Option<String>,
    pub host: Option<String>,
    pub operation: i8,
    pub permission: i8,
}

impl AclFilter {
    pub fn matches(&self, acl: &Acl) -> bool {
        if self.resource_type != RESOURCE_ANY && self.resource_type != acl.resource_type {
            return false;
        }
        let name_ok = match (&self.resource_name, self.pattern_type) {
            (None, PATTERN_ANY | PATTERN_MATCH) => true,
            (None, p) => p == acl.pattern_type,
            (Some(n), PATTERN_ANY) => *n == acl.resource_name,
            (Some(n), PATTERN_MATCH) => match acl.pattern_type {
                PATTERN_LITERAL => *n == acl.resource_name || acl.resource_name == "*",
                PATTERN_PREFIXED => n.starts_with(&acl.resource_name),
                _ => false,
            },
            (Some(n), p) => p == acl.pattern_type && *n == acl.resource_name,
        };
        name_ok
            && self.principal.as_ref().is_none_or(|p| *p == acl.principal)
            && self.host.as_ref().is_none_or(|h| *h == acl.host)
            && (self.operation == OP_ANY || self.operation == acl.operation)
            && (self.permission == PERMISSION_ANY || self.permission == acl.permission)
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

fn resource_key(resource: Resource<'_>) -> (i8, &str) {
    match resource {
        Resource::Topic(n) => (RESOURCE_TOPIC, n),
        Resource::Group(n) => (RESOURCE_GROUP, n),
        Resource::Cluster => (RESOURCE_CLUSTER, "kafka-cluster"),
        Resource::TransactionalId(n) => (RESOURCE_TRANSACTIONAL_ID, n),
    }
}

fn pattern_matches(acl: &Acl, rtype: i8, name: &str) -> bool {
    acl.resource_type == rtype
        && match acl.pattern_type {
            PATTERN_LITERAL => acl.resource_name == name || acl.resource_name == "*",
            PATTERN_PREFIXED => name.starts_with(&acl.resource_name),
            _ => false,
        }
}

/// Whether an ALLOW ACL for `granted` also allows `wanted` (Kafka's implied operations).
fn implies(granted: i8, wanted: i8) -> bool {
    const DESCRIBE: i8 = 8;
    const DESCRIBE_CONFIGS: i8 = 10;
    granted == wanted
        || granted == OP_ALL
        || (wanted == DESCRIBE && matches!(granted, 3 | 4 | 6 | 7))
        || (wanted == DESCRIBE_CONFIGS && granted == 11)
}

impl AclAuthorizer {
    fn decide(&self, principal: &str, host: &str, op: i8, rtype: i8, name: &str) -> bool {
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
            a.permission == PERMISSION_DENY && (a.operation == op || a.operation == OP_ALL)
        });
        if denied {
            return false;
        }
        on_resource
            .iter()
            .filter(applies)
            .any(|a| a.permission == PERMISSION_ALLOW && implies(a.operation, op))
    }
}

impl Authorizer for AclAuthorizer {
    fn authorize(&self, ctx: &RequestContext<'_>, op: Operation, resource: Resource<'_>) -> bool {
        let (rtype, name) = resource_key(resource);
        let principal = ctx.principal().to_string();
        let host = ctx.connection.peer.ip().to_string();
        self.decide(&principal, &host, op_code(op), rtype, name)
    }

    fn authorize_any_topic(&self, ctx: &RequestContext<'_>, op: Operation) -> bool {
        let principal = ctx.principal().to_string();
        if self.super_users.contains(&principal) {
            return true;
        }
        let host = ctx.connection.peer.ip().to_string();
        let code = op_code(op);
        let acls = self.store.acls.read().unwrap_or_else(|p| p.into_inner());
        acls.iter().any(|a| {
            a.resource_type == RESOURCE_TOPIC
                && a.permission == PERMISSION_ALLOW
                && implies(a.operation, code)
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

    fn acl(rtype: i8, name: &str, pattern: i8, principal: &str, op: i8, perm: i8) -> Acl {
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
                    RESOURCE_TOPIC,
                    "orders",
                    PATTERN_LITERAL,
                    "User:alice",
                    4,
                    PERMISSION_ALLOW,
                ),
                acl(
                    RESOURCE_TOPIC,
                    "logs-",
                    PATTERN_PREFIXED,
                    "User:*",
                    3,
                    PERMISSION_ALLOW,
                ),
                acl(
                    RESOURCE_TOPIC,
                    "logs-secret",
                    PATTERN_LITERAL,
                    "User:bob",
                    OP_ALL,
                    PERMISSION_DENY,
                ),
                acl(
                    RESOURCE_GROUP,
                    "*",
                    PATTERN_LITERAL,
                    "User:alice",
                    3,
                    PERMISSION_ALLOW,
                ),
            ])
            .unwrap();
        let a = AclAuthorizer {
            store: store.clone(),
            super_users: vec!["User:admin".into()],
            allow_if_no_acl: false,
        };
        let d = |p: &str, op: i8, t: i8, n: &str| a.decide(p, "10.0.0.1", op, t, n);
        assert!(d("User:alice", 4, RESOURCE_TOPIC, "orders"));
        assert!(
            d("User:alice", 8, RESOURCE_TOPIC, "orders"),
            "WRITE implies DESCRIBE"
        );
        assert!(!d("User:alice", 3, RESOURCE_TOPIC, "orders"));
        assert!(!d("User:bob", 4, RESOURCE_TOPIC, "orders"));
        assert!(d("User:bob", 3, RESOURCE_TOPIC, "logs-app"));
        assert!(
            !d("User:bob", 3, RESOURCE_TOPIC, "logs-secret"),
            "deny wins"
        );
        assert!(d("User:carol", 3, RESOURCE_TOPIC, "logs-secret"));
        assert!(d("User:alice", 3, RESOURCE_GROUP, "any-group"));
        assert!(!d("User:alice", 3, RESOURCE_TOPIC, "no-acls-here"));
        assert!(
            d("User:admin", 3, RESOURCE_TOPIC, "no-acls-here"),
            "super user"
        );
        let open = AclAuthorizer {
            store: store.clone(),
            super_users: vec![],
            allow_if_no_acl: true,
        };
        assert!(open.decide("User:x", "h", 3, RESOURCE_TOPIC, "no-acls-here"));
        assert!(!open.decide("User:x", "h", 3, RESOURCE_TOPIC, "orders"));
        // Durable.
        assert_eq!(AclStore::open(dir.path()).unwrap().list().len(), 4);
        let f = AclFilter {
            resource_type: RESOURCE_TOPIC,
            resource_name: Some("logs-x".into()),
            pattern_type: PATTERN_MATCH,
            principal: None,
            host: None,
            operation: OP_ANY,
            permission: PERMISSION_ANY,
        };
        assert_eq!(store.remove(&[f]).unwrap()[0].len(), 1);
        assert_eq!(AclStore::open(dir.path()).unwrap().list().len(), 3);
    }
}

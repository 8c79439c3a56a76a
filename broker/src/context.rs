//! Who sent a request and how: the per-connection facts ([`ConnectionContext`]) and the
//! per-request ones ([`RequestContext`]) every handler receives, and the one place requests
//! are authorised ([`RequestContext::authorize`]).
//!
//! The principal is `User:ANONYMOUS` until a SASL or TLS listener authenticates someone; the
//! authoriser admits everything until ACLs exist. Both are seams: a SASL handshake sets the
//! connection's principal, an ACL authoriser replaces [`AllowAll`], and no handler changes.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use kafka_protocol::messages::ApiKey;

/// A listener's security protocol, as in `listener.security.protocol.map`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityProtocol {
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

impl SecurityProtocol {
    /// Parses Kafka's protocol names (`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT`, `SASL_SSL`).
    pub fn parse(name: &str) -> Option<SecurityProtocol> {
        match name.trim().to_ascii_uppercase().as_str() {
            "PLAINTEXT" => Some(SecurityProtocol::Plaintext),
            "SSL" => Some(SecurityProtocol::Ssl),
            "SASL_PLAINTEXT" => Some(SecurityProtocol::SaslPlaintext),
            "SASL_SSL" => Some(SecurityProtocol::SaslSsl),
            _ => None,
        }
    }

    /// Kafka's name of the protocol.
    pub fn name(&self) -> &'static str {
        match self {
            SecurityProtocol::Plaintext => "PLAINTEXT",
            SecurityProtocol::Ssl => "SSL",
            SecurityProtocol::SaslPlaintext => "SASL_PLAINTEXT",
            SecurityProtocol::SaslSsl => "SASL_SSL",
        }
    }
}

/// An authenticated identity, `type:name` as in Kafka's `KafkaPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    pub principal_type: String,
    pub name: String,
}

impl Principal {
    /// `User:ANONYMOUS`, the principal of an unauthenticated connection.
    pub fn anonymous() -> Principal {
        Principal::user("ANONYMOUS")
    }

    /// `User:<name>`.
    pub fn user(name: impl Into<String>) -> Principal {
        Principal {
            principal_type: "User".into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.principal_type, self.name)
    }
}

/// What a connection knows about itself, fixed at accept time except the principal (which
/// authentication sets).
#[derive(Debug)]
pub struct ConnectionContext {
    pub connection_id: u64,
    pub peer: SocketAddr,
    pub listener_name: String,
    pub security_protocol: SecurityProtocol,
    /// True when responses must be written through the connection's stream (TLS encrypts in
    /// user space), so a zero-copy (sendfile) fetch path must not be used.
    pub copy_only: bool,
    principal: RwLock<Principal>,
}

static NEXT_CONNECTION_ID: AtomicU64 = AtomicU64::new(1);

impl ConnectionContext {
    /// A new, unauthenticated connection.
    pub fn new(
        peer: SocketAddr,
        listener_name: &str,
        security_protocol: SecurityProtocol,
    ) -> ConnectionContext {
        ConnectionContext {
            connection_id: NEXT_CONNECTION_ID.fetch_add(1, Ordering::Relaxed),
            peer,
            listener_name: listener_name.to_string(),
            security_protocol,
            copy_only: false,
            principal: RwLock::new(Principal::anonymous()),
        }
    }

    /// The connection's principal.
    pub fn principal(&self) -> Principal {
        self.principal
            .read()
            .map(|p| p.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Records who authenticated on this connection.
    pub fn set_principal(&self, principal: Principal) {
        match self.principal.write() {
            Ok(mut p) => *p = principal,
            Err(poisoned) => *poisoned.into_inner() = principal,
        }
    }
}

/// Operations of Kafka's ACL model that requests ask for (Kafka's `AclOperation`, shared with
/// the core through `ferrokafka-protocol`).
pub use ferrokafka_protocol::acl::AclOperation as Operation;

/// A resource an operation is asked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    Topic(&'a str),
    Group(&'a str),
    Cluster,
    TransactionalId(&'a str),
}

/// Decides whether a principal may do an operation on a resource.
pub trait Authorizer: Send + Sync {
    fn authorize(&self, ctx: &RequestContext<'_>, op: Operation, resource: Resource<'_>) -> bool;

    /// Whether `op` is allowed on at least one topic (Kafka's `authorizeByResourceType`, used
    /// for an idempotent producer's InitProducerId).
    fn authorize_any_topic(&self, _ctx: &RequestContext<'_>, _op: Operation) -> bool {
        true
    }

    /// The ACL store, when ACLs are in force (CreateAcls/DescribeAcls/DeleteAcls need one).
    fn acls(&self) -> Option<&crate::security::acl::AclStore> {
        None
    }
}

/// The authoriser in force while no `authorizer.class.name` is configured: allows everything,
/// as Kafka does without an authoriser.
#[derive(Debug, Default)]
pub struct AllowAll;

impl Authorizer for AllowAll {
    fn authorize(&self, _: &RequestContext<'_>, _: Operation, _: Resource<'_>) -> bool {
        true
    }
}

/// One request: its connection, the header's client id and API, and the broker's authoriser.
pub struct RequestContext<'a> {
    pub connection: &'a ConnectionContext,
    pub client_id: String,
    pub api_key: ApiKey,
    pub api_version: i16,
    pub correlation_id: i32,
    pub authorizer: Arc<dyn Authorizer>,
}

impl RequestContext<'_> {
    /// Whether this request's principal may do `op` on `resource`. Every authorisation
    /// decision goes through here.
    pub fn authorize(&self, op: Operation, resource: Resource<'_>) -> bool {
        let allowed = self.authorizer.authorize(self, op, resource);
        if !allowed {
            tracing::debug!(
                principal = %self.connection.principal(),
                peer = %self.connection.peer,
                ?op,
                ?resource,
                "request denied"
            );
        }
        allowed
    }

    /// The principal that sent the request.
    pub fn principal(&self) -> Principal {
        self.connection.principal()
    }

    /// The client's host as Kafka reports it in group descriptions (`/127.0.0.1`).
    pub fn client_host(&self) -> String {
        format!("/{}", self.connection.peer.ip())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_start_anonymous_and_get_distinct_ids() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let a = ConnectionContext::new(peer, "PLAINTEXT", SecurityProtocol::Plaintext);
        let b = ConnectionContext::new(peer, "INTERNAL", SecurityProtocol::Plaintext);
        assert_ne!(a.connection_id, b.connection_id);
        assert_eq!(a.principal().to_string(), "User:ANONYMOUS");
        a.set_principal(Principal::user("alice"));
        assert_eq!(a.principal().to_string(), "User:alice");
        assert_eq!(b.principal(), Principal::anonymous());
    }

    #[test]
    fn protocol_names_round_trip() {
        for p in [
            SecurityProtocol::Plaintext,
            SecurityProtocol::Ssl,
            SecurityProtocol::SaslPlaintext,
            SecurityProtocol::SaslSsl,
        ] {
            assert_eq!(SecurityProtocol::parse(p.name()), Some(p));
        }
        assert_eq!(SecurityProtocol::parse("CONTROLLER"), None);
    }
}

//! Listener security: SASL (PLAIN, SCRAM-SHA-256/512) with the SCRAM credential store, and the
//! per-listener settings read from Kafka's keys. Modules:
//! - `acl`: the durable ACL store and Kafka's authorisation rules over it;
//! - `scram`: SCRAM credentials and the server side of one exchange;
//! - `credentials`: the durable SCRAM store and `--add-scram` specs;
//! - `sasl`: the per-connection SASL state machine the connection loop consults;
//! - `tls`: rustls server settings from Kafka's `ssl.*` keys, the handshake, mTLS principals.
//!
//! Secrets (passwords, JAAS strings, keys) never reach a log line or an error message.

pub mod acl;
pub mod credentials;
pub mod sasl;
pub mod scram;
pub mod tls;

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{BrokerConfig, ConfigError};
use credentials::CredentialStore;
use sasl::SaslSettings;

/// Mechanisms this broker serves.
pub const SUPPORTED_MECHANISMS: &[&str] = &["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

/// A listener-prefixed setting (`listener.name.<listener lower-case>.<key>`), else the plain key.
pub fn listener_setting<'a>(
    config: &'a BrokerConfig,
    listener: &str,
    key: &str,
) -> Option<&'a str> {
    let prefixed = format!("listener.name.{}.{key}", listener.to_ascii_lowercase());
    config
        .given
        .get(&prefixed)
        .or_else(|| config.given.get(key))
        .map(String::as_str)
}

fn invalid(key: String, reason: String) -> ConfigError {
    ConfigError::InvalidValue {
        key,
        // Values here may hold secrets: never echo them.
        value: "<hidden>".into(),
        reason,
    }
}

/// The SASL settings of the listener named `listener`.
pub fn sasl_settings(
    config: &BrokerConfig,
    listener: &str,
    credentials: Arc<CredentialStore>,
) -> Result<SaslSettings, ConfigError> {
    let lower = listener.to_ascii_lowercase();
    let enabled: Vec<String> = match listener_setting(config, listener, "sasl.enabled.mechanisms") {
        Some(list) => {
            let mut out = Vec::new();
            for m in list.split(',').map(str::trim).filter(|m| !m.is_empty()) {
                if SUPPORTED_MECHANISMS.contains(&m) {
                    out.push(m.to_string());
                } else {
                    tracing::warn!(listener, mechanism = m, "SASL mechanism not supported by this broker; ignored (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 are)");
                }
            }
            out
        }
        // Kafka's default is GSSAPI, which this broker does not serve: offer all it does.
        None => SUPPORTED_MECHANISMS.iter().map(|m| m.to_string()).collect(),
    };
    if enabled.is_empty() {
        return Err(ConfigError::InvalidValue {
            key: "sasl.enabled.mechanisms".into(),
            value: listener_setting(config, listener, "sasl.enabled.mechanisms")
                .unwrap_or_default()
                .to_string(),
            reason: format!(
                "listener {listener} needs one of {}",
                SUPPORTED_MECHANISMS.join(", ")
            ),
        });
    }
    let mut plain_users = HashMap::new();
    let jaas_key = format!("listener.name.{lower}.plain.sasl.jaas.config");
    if let Some(jaas) = config.given.get(&jaas_key) {
        let entry = ferrokafka_protocol::jaas::parse_single(jaas)
            .map_err(|e| invalid(jaas_key.clone(), e.to_string()))?;
        for (user, password) in entry.plain_users() {
            plain_users.insert(user.to_string(), password.to_string());
        }
    } else if enabled.iter().any(|m| m == "PLAIN") {
        tracing::info!(listener, key = %jaas_key, "PLAIN enabled without users: PLAIN logins will fail until users are configured");
    }
    let num = |key: &str, default: i64| -> Result<i64, ConfigError> {
        match listener_setting(config, listener, key) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| ConfigError::InvalidValue {
                key: key.to_string(),
                value: v.to_string(),
                reason: "expected a whole number".into(),
            }),
        }
    };
    let reauth_ms = num("connections.max.reauth.ms", 0)?;
    let max_receive_size = num(
        "sasl.server.max.receive.size",
        i64::from(sasl::DEFAULT_MAX_RECEIVE_SIZE),
    )?
    .clamp(1, i64::from(u32::MAX)) as u32;
    Ok(SaslSettings {
        enabled,
        plain_users,
        reauth_ms,
        max_receive_size,
        credentials,
    })
}

/// How one listener secures its connections.
#[derive(Clone, Default)]
pub struct ListenerSecurity {
    /// SASL settings on SASL_PLAINTEXT / SASL_SSL listeners.
    pub sasl: Option<Arc<SaslSettings>>,
    /// TLS on SSL / SASL_SSL listeners.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
}

//! The security settings of a client: `security.protocol`, `ssl.*` and `sasl.*` keys.
//!
//! Owns parsing those keys (Java / librdkafka names) into one typed [`SecurityConfig`] and the
//! cross-key checks (a SASL protocol needs a mechanism and credentials; PEM only). It must not
//! read certificate files or open sockets: `connection::tls` and `connection::sasl` do, once per
//! client. Passwords live in [`Secret`], which never prints its value.

use std::path::PathBuf;

use ferrokafka_protocol::jaas;
use ferrokafka_protocol::tls_policy::{tls_policy, TlsPolicy, TlsSettings, TlsSide};

use crate::error::{Error, Result};

/// `security.protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecurityProtocol {
    #[default]
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

impl SecurityProtocol {
    /// Whether the connection runs over TLS.
    pub fn uses_tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }

    /// Whether the connection authenticates with SASL.
    pub fn uses_sasl(self) -> bool {
        matches!(
            self,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        )
    }
}

/// `sasl.mechanism` values this client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    Plain,
    ScramSha256,
    ScramSha512,
}

impl SaslMechanism {
    /// The IANA name sent in SaslHandshake.
    pub fn name(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }
}

/// A password: compared and cloned like a string, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([hidden])")
    }
}

/// TLS settings (PEM files only, as Kafka's `ssl.*.type=PEM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SslConfig {
    /// CA certificates to trust (`ssl.ca.location` or `ssl.truststore.location`); `None`
    /// trusts no CA but the ones given, so it is required with TLS.
    pub ca_location: Option<PathBuf>,
    /// Client certificate chain (`ssl.certificate.location`, or the certificates of
    /// `ssl.keystore.location`).
    pub certificate_location: Option<PathBuf>,
    /// Client private key (`ssl.key.location`, or the key of `ssl.keystore.location`).
    pub key_location: Option<PathBuf>,
    /// `ssl.endpoint.identification.algorithm`: `https` (default) checks the broker's host
    /// name against its certificate; empty only checks the chain.
    pub verify_hostname: bool,
    /// Inline PEM instead of files (librdkafka's `ssl.ca.pem`, `ssl.certificate.pem`,
    /// `ssl.key.pem`; what kafkajs's `ssl.ca`/`cert`/`key` strings map to).
    pub ca_pem: Option<String>,
    pub certificate_pem: Option<String>,
    pub key_pem: Option<Secret>,
    /// librdkafka's `enable.ssl.certificate.verification` (kafkajs `rejectUnauthorized`):
    /// `false` accepts any broker certificate. Insecure; for tests only.
    pub verify_certificate: bool,
    /// `ssl.protocol`, `ssl.enabled.protocols`, `ssl.cipher.suites` as given (validated when
    /// parsed; `ferrokafka_protocol::tls_policy` turns them into rustls versions and suites).
    pub protocol: Option<String>,
    pub enabled_protocols: Option<String>,
    pub cipher_suites: Option<String>,
}

impl SslConfig {
    /// The TLS versions and suites these settings allow.
    pub fn tls_policy(&self) -> Result<TlsPolicy> {
        tls_policy(
            rustls::crypto::ring::default_provider(),
            TlsSettings {
                protocol: self.protocol.as_deref(),
                enabled_protocols: self.enabled_protocols.as_deref(),
                cipher_suites: self.cipher_suites.as_deref(),
            },
            TlsSide::Client,
        )
        .map_err(|e| Error::config(e.to_string()))
    }
}

impl Default for SslConfig {
    fn default() -> Self {
        SslConfig {
            ca_location: None,
            certificate_location: None,
            key_location: None,
            verify_hostname: true,
            ca_pem: None,
            certificate_pem: None,
            key_pem: None,
            verify_certificate: true,
            protocol: None,
            enabled_protocols: None,
            cipher_suites: None,
        }
    }
}

/// SASL settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaslConfig {
    pub mechanism: SaslMechanism,
    pub username: String,
    pub password: Secret,
}

/// Everything about how a client secures its connections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityConfig {
    pub protocol: SecurityProtocol,
    pub ssl: SslConfig,
    /// Set when `protocol` uses SASL.
    pub sasl: Option<SaslConfig>,
}

/// The security keys, for `KNOWN_KEYS`.
pub const SECURITY_KEYS: &[&str] = &[
    "security.protocol",
    "ssl.ca.location",
    "ssl.truststore.location",
    "ssl.truststore.type",
    "ssl.certificate.location",
    "ssl.key.location",
    "ssl.keystore.location",
    "ssl.keystore.type",
    "ssl.endpoint.identification.algorithm",
    "ssl.ca.pem",
    "ssl.certificate.pem",
    "ssl.key.pem",
    "ssl.truststore.certificates",
    "ssl.keystore.certificate.chain",
    "ssl.keystore.key",
    "enable.ssl.certificate.verification",
    "ssl.protocol",
    "ssl.enabled.protocols",
    "ssl.cipher.suites",
    "sasl.mechanism",
    "sasl.mechanisms",
    "sasl.username",
    "sasl.password",
    "sasl.jaas.config",
];

/// The raw values while parsing; resolved into a [`SecurityConfig`] once every key is known.
#[derive(Default)]
pub(crate) struct SecurityKeys {
    protocol: SecurityProtocol,
    ca: Option<PathBuf>,
    truststore: Option<PathBuf>,
    certificate: Option<PathBuf>,
    key: Option<PathBuf>,
    keystore: Option<PathBuf>,
    verify_hostname: Option<bool>,
    ca_pem: Option<String>,
    certificate_pem: Option<String>,
    key_pem: Option<Secret>,
    verify_certificate: Option<bool>,
    tls_protocol: Option<String>,
    enabled_protocols: Option<String>,
    cipher_suites: Option<String>,
    mechanism: Option<String>,
    username: Option<String>,
    password: Option<Secret>,
    jaas: Option<jaas::JaasEntry>,
}

fn bad(key: &str, value: &str, accepted: &str) -> Error {
    Error::config(format!(
        "invalid value {value:?} for `{key}`: accepted values are {accepted}"
    ))
}

fn non_empty(value: &str) -> Option<String> {
    (!value.trim().is_empty()).then(|| value.to_string())
}

fn path(value: &str) -> Option<PathBuf> {
    let v = value.trim();
    (!v.is_empty()).then(|| PathBuf::from(v))
}

impl SecurityKeys {
    /// Takes `key` if it is a security key; `Ok(false)` if it is not one.
    pub(crate) fn set(&mut self, key: &str, value: &str) -> Result<bool> {
        match key {
            "security.protocol" => {
                self.protocol = match value.trim().to_ascii_uppercase().as_str() {
                    "PLAINTEXT" => SecurityProtocol::Plaintext,
                    "SSL" => SecurityProtocol::Ssl,
                    "SASL_PLAINTEXT" => SecurityProtocol::SaslPlaintext,
                    "SASL_SSL" => SecurityProtocol::SaslSsl,
                    _ => return Err(bad(key, value, "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL")),
                }
            }
            "ssl.ca.location" => self.ca = path(value),
            "ssl.truststore.location" => self.truststore = path(value),
            "ssl.keystore.location" => self.keystore = path(value),
            "ssl.certificate.location" => self.certificate = path(value),
            "ssl.key.location" => self.key = path(value),
            "ssl.truststore.type" | "ssl.keystore.type" => {
                if !value.trim().eq_ignore_ascii_case("PEM") {
                    return Err(bad(
                        key,
                        value,
                        "PEM (convert a JKS or PKCS12 store with keytool/openssl to PEM files)",
                    ));
                }
            }
            "ssl.endpoint.identification.algorithm" => {
                self.verify_hostname = Some(match value.trim().to_ascii_lowercase().as_str() {
                    "https" => true,
                    "" | "none" => false,
                    _ => {
                        return Err(bad(
                            key,
                            value,
                            "https, or empty to skip the host name check",
                        ))
                    }
                })
            }
            // librdkafka's inline PEM keys, and Java's (`ssl.truststore.certificates`, ...).
            "ssl.ca.pem" | "ssl.truststore.certificates" => self.ca_pem = non_empty(value),
            "ssl.certificate.pem" | "ssl.keystore.certificate.chain" => {
                self.certificate_pem = non_empty(value)
            }
            "ssl.key.pem" | "ssl.keystore.key" => self.key_pem = non_empty(value).map(Secret::new),
            "enable.ssl.certificate.verification" => {
                self.verify_certificate = Some(match value.trim().to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad(key, value, "true, false")),
                })
            }
            "ssl.protocol" => self.tls_protocol = non_empty(value),
            "ssl.enabled.protocols" => self.enabled_protocols = non_empty(value),
            // librdkafka's `ssl.cipher.suites` is OpenSSL's colon list; both spellings work.
            "ssl.cipher.suites" => self.cipher_suites = non_empty(value),
            "sasl.mechanism" | "sasl.mechanisms" => {
                self.mechanism = Some(value.trim().to_ascii_uppercase())
            }
            "sasl.username" => self.username = Some(value.to_string()),
            "sasl.password" => self.password = Some(Secret::new(value)),
            "sasl.jaas.config" => {
                let entry = jaas::parse_single(value)
                    .map_err(|e| Error::config(format!("`sasl.jaas.config`: {e}")))?;
                self.jaas = Some(entry);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Cross-key checks; the resolved settings.
    pub(crate) fn resolve(self) -> Result<SecurityConfig> {
        let mut ssl = SslConfig {
            ca_location: self.ca.or(self.truststore),
            certificate_location: self.certificate.or_else(|| self.keystore.clone()),
            key_location: self.key.or(self.keystore),
            verify_hostname: self.verify_hostname.unwrap_or(true),
            ca_pem: self.ca_pem,
            certificate_pem: self.certificate_pem,
            key_pem: self.key_pem,
            verify_certificate: self.verify_certificate.unwrap_or(true),
            protocol: self.tls_protocol,
            enabled_protocols: self.enabled_protocols,
            cipher_suites: self.cipher_suites,
        };
        // Checked whatever the protocol, as Java validates them: a typo fails at creation.
        ssl.tls_policy()?;
        if !self.protocol.uses_tls() {
            ssl = SslConfig::default();
        }
        let has_cert = ssl.certificate_location.is_some() || ssl.certificate_pem.is_some();
        let has_key = ssl.key_location.is_some() || ssl.key_pem.is_some();
        if has_cert != has_key {
            return Err(Error::config(
                "a client certificate needs both `ssl.certificate.location` and \
                 `ssl.key.location` (or one PEM `ssl.keystore.location` holding both)",
            ));
        }
        let sasl = if self.protocol.uses_sasl() {
            Some(resolve_sasl(
                self.mechanism,
                self.username,
                self.password,
                self.jaas,
            )?)
        } else {
            None
        };
        Ok(SecurityConfig {
            protocol: self.protocol,
            ssl,
            sasl,
        })
    }
}

fn resolve_sasl(
    mechanism: Option<String>,
    username: Option<String>,
    password: Option<Secret>,
    jaas: Option<jaas::JaasEntry>,
) -> Result<SaslConfig> {
    let mechanism =
        match mechanism.as_deref().unwrap_or("GSSAPI") {
            "PLAIN" => SaslMechanism::Plain,
            "SCRAM-SHA-256" => SaslMechanism::ScramSha256,
            "SCRAM-SHA-512" => SaslMechanism::ScramSha512,
            other => return Err(bad(
                "sasl.mechanism",
                other,
                "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (GSSAPI and OAUTHBEARER are not supported; \
                 Kafka's default is GSSAPI, so set it explicitly)",
            )),
        };
    let expected_module = match mechanism {
        SaslMechanism::Plain => jaas::PLAIN_LOGIN_MODULE,
        _ => jaas::SCRAM_LOGIN_MODULE,
    };
    let (username, password) = match (username, password, jaas) {
        (Some(u), Some(p), _) => (u, p),
        (_, _, Some(entry)) => {
            if entry.login_module != expected_module {
                return Err(Error::config(format!(
                    "`sasl.jaas.config` uses {} but `sasl.mechanism={}` needs {expected_module}",
                    entry.login_module,
                    mechanism.name()
                )));
            }
            let (u, p) = entry.credentials().ok_or_else(|| {
                Error::config(
                    "`sasl.jaas.config` needs username=\"...\" and password=\"...\" options",
                )
            })?;
            (u.to_string(), Secret::new(p))
        }
        _ => {
            return Err(Error::config(format!(
                "SASL (`sasl.mechanism={}`) needs credentials: set `sasl.username` and \
                 `sasl.password`, or `sasl.jaas.config`",
                mechanism.name()
            )))
        }
    };
    Ok(SaslConfig {
        mechanism,
        username,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(pairs: &[(&str, &str)]) -> Result<SecurityConfig> {
        let mut keys = SecurityKeys::default();
        for (k, v) in pairs {
            assert!(keys.set(k, v)?, "{k} is a security key");
        }
        keys.resolve()
    }

    #[test]
    fn sasl_ssl_with_username_and_password() {
        let s = resolve(&[
            ("security.protocol", "sasl_ssl"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.username", "alice"),
            ("sasl.password", "pw"),
            ("ssl.ca.location", "/tmp/ca.pem"),
        ])
        .unwrap();
        assert_eq!(s.protocol, SecurityProtocol::SaslSsl);
        let sasl = s.sasl.unwrap();
        assert_eq!(sasl.mechanism, SaslMechanism::ScramSha512);
        assert_eq!(sasl.username, "alice");
        assert_eq!(sasl.password.expose(), "pw");
        assert!(!format!("{sasl:?}").contains("pw\""));
        assert_eq!(s.ssl.ca_location, Some(PathBuf::from("/tmp/ca.pem")));
        assert!(s.ssl.verify_hostname);
    }

    #[test]
    fn jaas_config_gives_credentials() {
        let s = resolve(&[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", "PLAIN"),
            (
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required \
                 username=\"bob\" password=\"s3\\\"cret\";",
            ),
        ])
        .unwrap();
        let sasl = s.sasl.unwrap();
        assert_eq!(sasl.username, "bob");
        assert_eq!(sasl.password.expose(), "s3\"cret");
    }

    #[test]
    fn mistakes_are_config_errors() {
        let no_creds = resolve(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "PLAIN"),
        ]);
        assert!(no_creds.unwrap_err().to_string().contains("sasl.username"));
        let gssapi = resolve(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.username", "a"),
            ("sasl.password", "b"),
        ]);
        assert!(gssapi.unwrap_err().to_string().contains("GSSAPI"));
        let wrong_module = resolve(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-256"),
            (
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";",
            ),
        ]);
        assert!(wrong_module
            .unwrap_err()
            .to_string()
            .contains("ScramLoginModule"));
        assert!(resolve(&[("ssl.keystore.type", "JKS")]).is_err());
        assert!(resolve(&[("security.protocol", "TLS")]).is_err());
        let half_cert = resolve(&[
            ("security.protocol", "SSL"),
            ("ssl.certificate.location", "/tmp/c.pem"),
        ]);
        assert!(half_cert
            .unwrap_err()
            .to_string()
            .contains("ssl.key.location"));
        let no_check = resolve(&[
            ("security.protocol", "SSL"),
            ("ssl.endpoint.identification.algorithm", ""),
        ])
        .unwrap();
        assert!(!no_check.ssl.verify_hostname);
    }
}

//! Kafka's TLS version and cipher-suite settings as a rustls policy, for the client core and the
//! broker alike: `ssl.enabled.protocols` (default `TLSv1.2,TLSv1.3`), `ssl.protocol` (default
//! `TLSv1.3`; on a client, `TLSv1.2` keeps TLS 1.3 off even when it is enabled, as Kafka's
//! documentation says) and `ssl.cipher.suites` (default: every suite of the provider).
//!
//! Names are Java's (IANA: `TLS_AES_128_GCM_SHA256`, `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`);
//! OpenSSL's names of the same suites (`ECDHE-RSA-AES256-GCM-SHA384`, librdkafka's and Node's
//! format) and `:` as a separator are accepted too. The listed order is the preference order.
//! An OpenSSL expression (`HIGH:!aNULL`) keeps every suite of the provider.
//! Protocols and suites that rustls does not implement (TLS 1.1 and older, CBC suites) are
//! skipped, as a JVM skips the ones its security policy disables; a setting that leaves nothing
//! usable is an error naming the key. A protocol version left without a suite is dropped.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{SupportedCipherSuite, SupportedProtocolVersion};

/// Which end of the connection the policy is for (`ssl.protocol` caps clients only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsSide {
    Client,
    Server,
}

/// A setting that cannot be honoured: the key, its value and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?} for `{key}`: {reason}")]
pub struct TlsPolicyError {
    pub key: &'static str,
    pub value: String,
    pub reason: String,
}

/// The raw settings, `None` where not given.
#[derive(Debug, Clone, Copy, Default)]
pub struct TlsSettings<'a> {
    pub protocol: Option<&'a str>,
    pub enabled_protocols: Option<&'a str>,
    pub cipher_suites: Option<&'a str>,
}

/// What the settings allow: the versions to offer or accept and a provider with the suites.
#[derive(Debug)]
pub struct TlsPolicy {
    pub versions: Vec<&'static SupportedProtocolVersion>,
    pub provider: Arc<CryptoProvider>,
}

/// The protocol names a JVM knows; the ones rustls lacks are skipped rather than refused.
const OBSOLETE_PROTOCOLS: &[&str] = &["tlsv1.1", "tlsv1", "sslv3", "sslv2hello", "sslv2"];

fn split(value: &str) -> impl Iterator<Item = &str> {
    value
        .split([',', ':'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn version_named(name: &str) -> Option<&'static SupportedProtocolVersion> {
    match name.to_ascii_lowercase().as_str() {
        "tlsv1.3" => Some(&rustls::version::TLS13),
        "tlsv1.2" => Some(&rustls::version::TLS12),
        _ => None,
    }
}

fn enabled_versions(
    value: Option<&str>,
) -> Result<Vec<&'static SupportedProtocolVersion>, TlsPolicyError> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(vec![&rustls::version::TLS13, &rustls::version::TLS12]);
    };
    let bad = |reason: String| TlsPolicyError {
        key: "ssl.enabled.protocols",
        value: value.to_string(),
        reason,
    };
    let mut versions = Vec::new();
    for name in split(value) {
        match version_named(name) {
            Some(v) if !versions.contains(&v) => versions.push(v),
            Some(_) => {}
            None if OBSOLETE_PROTOCOLS.contains(&name.to_ascii_lowercase().as_str()) => {}
            None => {
                return Err(bad(format!(
                    "{name} is not a TLS protocol name; use TLSv1.2 and/or TLSv1.3"
                )))
            }
        }
    }
    if versions.is_empty() {
        return Err(bad(
            "none of these protocols is supported (TLSv1.2 and TLSv1.3 are); add TLSv1.2 or TLSv1.3"
                .into(),
        ));
    }
    Ok(versions)
}

/// `ssl.protocol`: whether TLS 1.3 stays allowed.
fn protocol_allows_tls13(value: Option<&str>) -> Result<bool, TlsPolicyError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(true);
    };
    match value.to_ascii_lowercase().as_str() {
        "tlsv1.3" | "tls" | "ssl" => Ok(true),
        "tlsv1.2" | "tlsv1.1" | "tlsv1" | "sslv3" => Ok(false),
        _ => Err(TlsPolicyError {
            key: "ssl.protocol",
            value: value.to_string(),
            reason: "accepted values are TLSv1.3, TLSv1.2 and TLS".into(),
        }),
    }
}

/// The IANA name Java uses for a suite (rustls spells TLS 1.3's with a `TLS13_` prefix).
fn java_name(suite: &SupportedCipherSuite) -> Option<String> {
    let name = suite.suite().as_str()?;
    Some(match name.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => name.to_string(),
    })
}

/// OpenSSL's name of a suite rustls implements (TLS 1.3 suites have their IANA names there).
fn openssl_name(java: &str) -> Option<&'static str> {
    Some(match java {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => "ECDHE-RSA-CHACHA20-POLY1305",
        _ => return None,
    })
}

fn suite_named(all: &[SupportedCipherSuite], name: &str) -> Option<SupportedCipherSuite> {
    all.iter().copied().find(|s| {
        java_name(s).is_some_and(|j| {
            j.eq_ignore_ascii_case(name)
                || openssl_name(&j).is_some_and(|o| o.eq_ignore_ascii_case(name))
        })
    })
}

/// Whether `value` is an OpenSSL cipher expression (`HIGH:!aNULL`, `DEFAULT@SECLEVEL=2`) rather
/// than a list of suite names: some token is a keyword (no `-` or `_`, which every suite name
/// has) or carries an operator. librdkafka, Node's `ciphers` and Python's `set_ciphers` take
/// these; such an expression selects a superset of the provider's suites (AEAD with forward
/// secrecy only), so it keeps them all.
fn is_openssl_expression(value: &str) -> bool {
    split(value).any(|t| {
        !(t.contains('-') || t.contains('_'))
            || t.starts_with(['-', '!', '+'])
            || t.contains(['@', '=', '+'])
    })
}

fn cipher_suites(
    all: &[SupportedCipherSuite],
    value: Option<&str>,
) -> Result<Vec<SupportedCipherSuite>, TlsPolicyError> {
    let Some(value) = value.filter(|v| !v.trim().is_empty() && !is_openssl_expression(v)) else {
        return Ok(all.to_vec());
    };
    let mut chosen: Vec<SupportedCipherSuite> = Vec::new();
    for name in split(value) {
        if let Some(s) = suite_named(all, name) {
            if !chosen.iter().any(|c| c.suite() == s.suite()) {
                chosen.push(s);
            }
        }
    }
    if chosen.is_empty() {
        let supported: Vec<String> = all.iter().filter_map(java_name).collect();
        return Err(TlsPolicyError {
            key: "ssl.cipher.suites",
            value: value.to_string(),
            reason: format!(
                "none of these suites is supported; supported suites: {}",
                supported.join(", ")
            ),
        });
    }
    Ok(chosen)
}

/// The policy for `side` under `settings`, over `base` (the crypto provider in use).
pub fn tls_policy(
    base: CryptoProvider,
    settings: TlsSettings<'_>,
    side: TlsSide,
) -> Result<TlsPolicy, TlsPolicyError> {
    let mut versions = enabled_versions(settings.enabled_protocols)?;
    if side == TlsSide::Client && !protocol_allows_tls13(settings.protocol)? {
        versions.retain(|v| v.version != rustls::ProtocolVersion::TLSv1_3);
        if versions.is_empty() {
            return Err(TlsPolicyError {
                key: "ssl.protocol",
                value: settings.protocol.unwrap_or_default().to_string(),
                reason: "it rules out TLSv1.3, the only protocol in ssl.enabled.protocols; \
                         enable TLSv1.2 or set ssl.protocol=TLSv1.3"
                    .into(),
            });
        }
    } else {
        // Validated on both sides, as a JVM builds its SSLContext from it on both.
        protocol_allows_tls13(settings.protocol)?;
    }
    let suites = cipher_suites(&base.cipher_suites, settings.cipher_suites)?;
    versions.retain(|v| suites.iter().any(|s| s.version() == *v));
    if versions.is_empty() {
        return Err(TlsPolicyError {
            key: "ssl.cipher.suites",
            value: settings.cipher_suites.unwrap_or_default().to_string(),
            reason: "no listed suite belongs to a protocol in ssl.enabled.protocols; list a \
                     TLS 1.3 suite (TLS_AES_128_GCM_SHA256) or enable TLSv1.2"
                .into(),
        });
    }
    let provider = CryptoProvider {
        cipher_suites: suites,
        ..base
    };
    Ok(TlsPolicy {
        versions,
        provider: Arc::new(provider),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(
        protocol: Option<&str>,
        enabled: Option<&str>,
        suites: Option<&str>,
        side: TlsSide,
    ) -> Result<TlsPolicy, TlsPolicyError> {
        tls_policy(
            rustls::crypto::ring::default_provider(),
            TlsSettings {
                protocol,
                enabled_protocols: enabled,
                cipher_suites: suites,
            },
            side,
        )
    }

    fn names(p: &TlsPolicy) -> Vec<String> {
        p.provider
            .cipher_suites
            .iter()
            .filter_map(java_name)
            .collect()
    }

    #[test]
    fn defaults_allow_both_versions_and_every_suite() {
        let p = policy(None, None, None, TlsSide::Client).unwrap();
        assert_eq!(p.versions.len(), 2);
        assert_eq!(
            p.provider.cipher_suites.len(),
            rustls::crypto::ring::default_provider().cipher_suites.len()
        );
        assert!(names(&p).contains(&"TLS_AES_128_GCM_SHA256".to_string()));
    }

    #[test]
    fn enabled_protocols_restrict_and_skip_obsolete_ones() {
        let p = policy(None, Some("TLSv1.1, TLSv1.2"), None, TlsSide::Server).unwrap();
        assert_eq!(p.versions, vec![&rustls::version::TLS12]);
        let e = policy(None, Some("TLSv1.1,TLSv1"), None, TlsSide::Server).unwrap_err();
        assert_eq!(e.key, "ssl.enabled.protocols");
        let e = policy(None, Some("TLSv2"), None, TlsSide::Client).unwrap_err();
        assert!(e.reason.contains("TLSv2"), "{e}");
    }

    #[test]
    fn ssl_protocol_tls12_keeps_a_client_off_tls13() {
        let p = policy(Some("TLSv1.2"), None, None, TlsSide::Client).unwrap();
        assert_eq!(p.versions, vec![&rustls::version::TLS12]);
        let p = policy(Some("TLSv1.2"), None, None, TlsSide::Server).unwrap();
        assert_eq!(p.versions.len(), 2);
        let e = policy(Some("TLSv1.2"), Some("TLSv1.3"), None, TlsSide::Client).unwrap_err();
        assert_eq!(e.key, "ssl.protocol");
        let e = policy(Some("bogus"), None, None, TlsSide::Server).unwrap_err();
        assert_eq!(e.key, "ssl.protocol");
    }

    #[test]
    fn cipher_suites_in_java_or_openssl_names_in_the_listed_order() {
        let p = policy(
            None,
            None,
            Some("ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
            TlsSide::Client,
        )
        .unwrap();
        assert_eq!(
            names(&p),
            vec![
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384"
            ]
        );
        assert_eq!(p.versions.len(), 2);
    }

    #[test]
    fn an_openssl_expression_keeps_every_suite() {
        for expr in [
            "HIGH:!aNULL:!MD5",
            "DEFAULT@SECLEVEL=2",
            "ECDHE+AESGCM",
            "ALL",
        ] {
            let p = policy(None, None, Some(expr), TlsSide::Client).unwrap();
            assert_eq!(
                p.provider.cipher_suites.len(),
                rustls::crypto::ring::default_provider().cipher_suites.len(),
                "{expr}"
            );
        }
    }

    #[test]
    fn a_version_without_a_suite_is_dropped_and_nothing_usable_is_an_error() {
        let p = policy(
            None,
            None,
            Some("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            TlsSide::Server,
        )
        .unwrap();
        assert_eq!(p.versions, vec![&rustls::version::TLS12]);
        let e = policy(
            None,
            Some("TLSv1.3"),
            Some("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            TlsSide::Server,
        )
        .unwrap_err();
        assert_eq!(e.key, "ssl.cipher.suites");
        let e = policy(
            None,
            None,
            Some("TLS_RSA_WITH_AES_128_CBC_SHA"),
            TlsSide::Client,
        )
        .unwrap_err();
        assert!(e.reason.contains("TLS_AES_128_GCM_SHA256"), "{e}");
    }
}

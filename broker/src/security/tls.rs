//! TLS for SSL and SASL_SSL listeners with rustls (ring provider), configured by Kafka's keys
//! (listener-prefixed `listener.name.<l>.ssl.*` first): `ssl.keystore.type=PEM` with
//! `ssl.keystore.location` (one file: unencrypted PKCS#8 key then the certificate chain) or
//! inline `ssl.keystore.key` + `ssl.keystore.certificate.chain`; `ssl.truststore.location` or
//! inline `ssl.truststore.certificates` (PEM); `ssl.client.auth=required|requested|none`;
//! `ssl.enabled.protocols`, `ssl.protocol` and `ssl.cipher.suites` (`tls_policy`).
//! Also derives the mTLS principal the way Kafka's default principal builder does:
//! `User:` + the certificate subject in RFC 2253 form (`CN=alice,O=Example`).

use std::sync::Arc;

use ferrokafka_protocol::tls_policy::{tls_policy, TlsSettings, TlsSide};
use ferrokafka_protocol::tls_reader::{RecordReader, READ_BUFFER};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

use super::listener_setting;
use crate::config::{BrokerConfig, ConfigError};

/// `ssl.client.auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    None,
    Requested,
    Required,
}

fn invalid(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidValue {
        key: key.to_string(),
        // Keystore values are secrets: never echo them.
        value: "<hidden>".into(),
        reason: reason.into(),
    }
}

fn read_file(key: &str, path: &str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| ConfigError::InvalidValue {
        key: key.to_string(),
        value: path.to_string(),
        reason: format!("cannot read the file: {e}"),
    })
}

fn check_pem_type(config: &BrokerConfig, listener: &str, key: &str) -> Result<(), ConfigError> {
    match listener_setting(config, listener, key) {
        None => Ok(()),
        Some(t) if t.eq_ignore_ascii_case("PEM") => Ok(()),
        Some(t) => Err(ConfigError::InvalidValue {
            key: key.to_string(),
            value: t.to_string(),
            reason: "only PEM stores are supported; convert a JKS/PKCS12 store to PEM (openssl pkcs12 -nodes) and set PEM".into(),
        }),
    }
}

/// The server's certificate chain and private key.
fn keystore(
    config: &BrokerConfig,
    listener: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), ConfigError> {
    check_pem_type(config, listener, "ssl.keystore.type")?;
    let (key_src, chain_src, key_name) = match listener_setting(
        config,
        listener,
        "ssl.keystore.location",
    ) {
        Some(path) => {
            let bytes = read_file("ssl.keystore.location", path)?;
            (bytes.clone(), bytes, "ssl.keystore.location")
        }
        None => {
            let key = listener_setting(config, listener, "ssl.keystore.key").ok_or_else(|| {
                    invalid(
                        "ssl.keystore.location",
                        format!("listener {listener} uses TLS: set ssl.keystore.location (a PEM file with the key and the certificate chain) or ssl.keystore.key and ssl.keystore.certificate.chain"),
                    )
                })?;
            let chain = listener_setting(config, listener, "ssl.keystore.certificate.chain")
                .ok_or_else(|| {
                    invalid(
                        "ssl.keystore.certificate.chain",
                        "set it next to ssl.keystore.key (the PEM certificate chain)",
                    )
                })?;
            (
                key.as_bytes().to_vec(),
                chain.as_bytes().to_vec(),
                "ssl.keystore.key",
            )
        }
    };
    if std::str::from_utf8(&key_src).is_ok_and(|s| s.contains("ENCRYPTED PRIVATE KEY")) {
        return Err(invalid(
            key_name,
            "the private key is encrypted; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt)",
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_src).map_err(|_| {
        invalid(
            key_name,
            "no PEM private key found; expected -----BEGIN PRIVATE KEY----- (PKCS#8)",
        )
    })?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&chain_src)
        .collect::<Result<_, _>>()
        .map_err(|_| invalid(key_name, "the certificate chain is not valid PEM"))?;
    if chain.is_empty() {
        return Err(invalid(
            key_name,
            "no certificate found; expected -----BEGIN CERTIFICATE----- after the key",
        ));
    }
    Ok((chain, key))
}

fn truststore(config: &BrokerConfig, listener: &str) -> Result<Option<RootCertStore>, ConfigError> {
    check_pem_type(config, listener, "ssl.truststore.type")?;
    let (bytes, key) = match (
        listener_setting(config, listener, "ssl.truststore.location"),
        listener_setting(config, listener, "ssl.truststore.certificates"),
    ) {
        (Some(path), _) => (
            read_file("ssl.truststore.location", path)?,
            "ssl.truststore.location",
        ),
        (None, Some(inline)) => (inline.as_bytes().to_vec(), "ssl.truststore.certificates"),
        (None, None) => return Ok(None),
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|_| invalid(key, "not valid PEM certificates"))?;
        roots
            .add(cert)
            .map_err(|e| invalid(key, format!("a CA certificate was refused: {e}")))?;
    }
    if roots.is_empty() {
        return Err(invalid(key, "no CA certificate found"));
    }
    Ok(Some(roots))
}

/// The TLS server configuration of one listener.
pub fn server_config(
    config: &BrokerConfig,
    listener: &str,
) -> Result<Arc<ServerConfig>, ConfigError> {
    let policy = tls_policy(
        rustls::crypto::ring::default_provider(),
        TlsSettings {
            protocol: listener_setting(config, listener, "ssl.protocol"),
            enabled_protocols: listener_setting(config, listener, "ssl.enabled.protocols"),
            cipher_suites: listener_setting(config, listener, "ssl.cipher.suites"),
        },
        TlsSide::Server,
    )
    .map_err(|e| ConfigError::InvalidValue {
        key: e.key.to_string(),
        value: e.value,
        reason: e.reason,
    })?;
    let provider = policy.provider.clone();
    let (chain, key) = keystore(config, listener)?;
    let client_auth = match listener_setting(config, listener, "ssl.client.auth")
        .map(|s| s.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("none") | Some("") => ClientAuth::None,
        Some("requested") => ClientAuth::Requested,
        Some("required") => ClientAuth::Required,
        Some(other) => {
            return Err(ConfigError::InvalidValue {
                key: "ssl.client.auth".into(),
                value: other.to_string(),
                reason: "expected required, requested or none".into(),
            })
        }
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&policy.versions)
        .map_err(|e| invalid("ssl.enabled.protocols", e.to_string()))?;
    let builder = if client_auth == ClientAuth::None {
        builder.with_no_client_auth()
    } else {
        let roots = truststore(config, listener)?.ok_or_else(|| {
            invalid(
                "ssl.truststore.location",
                "ssl.client.auth needs a truststore with the CA that signs client certificates",
            )
        })?;
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
        let verifier = if client_auth == ClientAuth::Requested {
            verifier.allow_unauthenticated()
        } else {
            verifier
        };
        builder.with_client_cert_verifier(
            verifier
                .build()
                .map_err(|e| invalid("ssl.truststore.location", e.to_string()))?,
        )
    };
    let server = builder.with_single_cert(chain, key).map_err(|e| {
        invalid(
            "ssl.keystore.location",
            format!("the key does not fit the certificate: {e}"),
        )
    })?;
    Ok(Arc::new(server))
}

/// Kafka's default principal name of a client certificate: its subject in RFC 2253 order
/// (most specific first, `,`-separated), e.g. `CN=alice,O=Example`.
pub fn certificate_principal_name(cert: &[u8]) -> Option<String> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
    let registry = x509_parser::objects::oid_registry();
    let mut parts = Vec::new();
    for rdn in parsed
        .subject()
        .iter()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        let atvs: Vec<String> = rdn
            .iter()
            .map(|atv| {
                let name = x509_parser::objects::oid2abbrev(atv.attr_type(), registry)
                    .map(str::to_string)
                    .unwrap_or_else(|_| atv.attr_type().to_id_string());
                let value = atv.as_str().unwrap_or("");
                format!("{name}={}", escape_rfc2253(value))
            })
            .collect();
        parts.push(atvs.join("+"));
    }
    Some(parts.join(","))
}

fn escape_rfc2253(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i + 1 == v.chars().count() && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A server-side TLS connection: rustls over the TCP stream, read through a buffer that hands it
/// one record at a time (writes go straight through: rustls already hands the socket whole
/// records, several per `writev`).
pub type ServerTlsStream = tokio_rustls::server::TlsStream<RecordReader<tokio::net::TcpStream>>;

/// TLS records are encrypted in user space: Fetch on a TLS connection takes the copy path (the
/// trait's default), producing the same bytes as `sendfile` on plain TCP.
impl crate::response_out::SendFileSocket for tokio::io::WriteHalf<ServerTlsStream> {}

/// Runs the server side of the TLS handshake; on success the connection's principal is the
/// client certificate's subject (when one was presented). A failed handshake (garbage, a
/// plaintext Kafka client, an untrusted client certificate) is logged and the connection closed.
pub async fn accept(
    acceptor: &tokio_rustls::TlsAcceptor,
    stream: tokio::net::TcpStream,
    conn: &crate::context::ConnectionContext,
) -> Option<ServerTlsStream> {
    let stream = RecordReader::with_capacity(READ_BUFFER, stream);
    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::warn!(peer = %conn.peer, listener = %conn.listener_name, error = %e, "closing connection: TLS handshake failed");
            return None;
        }
        Err(_) => {
            tracing::warn!(peer = %conn.peer, listener = %conn.listener_name, "closing connection: TLS handshake not finished in 30 s");
            return None;
        }
    };
    let (_, session) = tls.get_ref();
    if let Some(name) = session
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|c| certificate_principal_name(c))
    {
        conn.set_principal(crate::context::Principal::user(name));
    }
    Some(tls)
}

#[cfg(test)]
mod tests {
    /// `openssl req -subj "/C=US/O=Example/CN=alice"`: Java's X500Principal (RFC 2253) reads it
    /// most specific first.
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTpT6Fs6XZG6NUVM10laCN2BE0vkwCgYIKoZIzj0EAwIw\nLzELMAkGA1UEBhMCVVMxEDAOBgNVBAoMB0V4YW1wbGUxDjAMBgNVBAMMBWFsaWNl\nMB4XDTI2MTIwMjAyNDQzMFoXDTM2MTEyOTAyNDQzMFowLzELMAkGA1UEBhMCVVMx\nEDAOBgNVBAoMB0V4YW1wbGUxDjAMBgNVBAMMBWFsaWNlMFkwEwYHKoZIzj0CAQYI\nKoZIzj0DAQcDQgAEGPFBa1vZWmDBiNiv0Oc9epDNYrZTO2bKrV60SGnXS4+ggBqb\nRxJVpESX80cRe0lXwMFsyxNcR3CPYDeQ8qXnO6NTMFEwHQYDVR0OBBYEFJtOOBRg\nQi2QL95iTe+JVv03z+tHMB8GA1UdIwQYMBaAFJtOOBRgQi2QL95iTe+JVv03z+tH\nMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgA7KsdN9TUkdb7hv7\noZydFCAe0SxX7Tb7++IZY9C8s00CIQDEG8FZVgUmeXVlfRBup+FOZXu+kc3QmNeg\njDwnxZiDLw==\n-----END CERTIFICATE-----\n";

    #[test]
    fn subject_reads_in_rfc2253_order_like_kafka() {
        use rustls::pki_types::pem::PemObject;
        let der = rustls::pki_types::CertificateDer::pem_slice_iter(CERT.as_bytes())
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(
            super::certificate_principal_name(&der).as_deref(),
            Some("CN=alice,O=Example,C=US")
        );
        assert_eq!(super::escape_rfc2253("a,b"), "a\\,b");
    }
}

//! TLS under a broker connection (`security.protocol=SSL` / `SASL_SSL`), with rustls.
//!
//! Owns building one rustls client configuration per client from the PEM files named in
//! [`SslConfig`] (trusted CAs, optional client certificate and key), the host-name check switch
//! (`ssl.endpoint.identification.algorithm`), and wrapping an open TCP stream in TLS with a
//! bounded handshake whose failures say what was not trusted and which CA file was used.
//! rustls reads the socket through `ferrokafka_protocol`'s `RecordReader` (64 KiB per `recv`,
//! one TLS record per read), as the broker does. It must not know about SASL or Kafka requests.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_rustls::TlsConnector;

use ferrokafka_protocol::tls_reader::{RecordReader, READ_BUFFER};

use super::transport::BoxTransport;
use crate::config::SslConfig;
use crate::error::{Error, ErrorKind, Result};

/// A ready TLS client configuration, shared by every connection of one client.
#[derive(Clone)]
pub struct TlsSetup {
    connector: TlsConnector,
    /// Where the trusted CAs came from, for error messages.
    trust_source: String,
    verify_hostname: bool,
}

impl std::fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSetup")
            .field("trust_source", &self.trust_source)
            .field("verify_hostname", &self.verify_hostname)
            .finish()
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn open(path: &Path, key: &str) -> Result<BufReader<File>> {
    File::open(path).map(BufReader::new).map_err(|e| {
        Error::config(format!(
            "`{key}`: cannot read {}: {e}; point it at a readable PEM file",
            path.display()
        ))
    })
}

/// PEM certificates from a file or from inline text; `what` names the source in errors.
fn parse_certs(
    rd: &mut dyn std::io::BufRead,
    key: &str,
    what: &str,
) -> Result<Vec<CertificateDer<'static>>> {
    let certs = rustls_pemfile::certs(rd)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::config(format!("`{key}`: {what} is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::config(format!(
            "`{key}`: {what} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(certs)
}

fn parse_key(
    rd: &mut dyn std::io::BufRead,
    key: &str,
    what: &str,
) -> Result<PrivateKeyDer<'static>> {
    rustls_pemfile::private_key(rd)
        .map_err(|e| Error::config(format!("`{key}`: {what} is not valid PEM")).with_source(e))?
        .ok_or_else(|| {
            Error::config(format!(
                "`{key}`: {what} holds no unencrypted private key (PKCS#8, PKCS#1 or SEC1 PEM)"
            ))
        })
}

fn read_certs(path: &Path, key: &str) -> Result<Vec<CertificateDer<'static>>> {
    parse_certs(&mut open(path, key)?, key, &path.display().to_string())
}

fn read_key(path: &Path, key: &str) -> Result<PrivateKeyDer<'static>> {
    parse_key(&mut open(path, key)?, key, &path.display().to_string())
}

impl TlsSetup {
    /// Loads the CA, certificate and key files once.
    pub fn new(ssl: &SslConfig) -> Result<TlsSetup> {
        let mut roots = RootCertStore::empty();
        let trust_source = match (&ssl.ca_pem, &ssl.ca_location) {
            (Some(pem), _) => {
                for cert in parse_certs(&mut pem.as_bytes(), "ssl.ca.pem", "the inline PEM")? {
                    roots.add(cert).map_err(|e| {
                        Error::config(format!("`ssl.ca.pem`: not usable as a trust anchor: {e}"))
                    })?;
                }
                "ssl.ca.pem (inline CA certificates)".to_string()
            }
            (None, Some(ca)) => {
                for cert in read_certs(ca, "ssl.ca.location")? {
                    roots.add(cert).map_err(|e| {
                        Error::config(format!(
                            "`ssl.ca.location`: {} holds a certificate rustls cannot use as a \
                             trust anchor: {e}",
                            ca.display()
                        ))
                    })?;
                }
                format!("ssl.ca.location = {}", ca.display())
            }
            (None, None) => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
                "the system's CA certificates (no ssl.ca.location set)".to_string()
            }
        };
        let policy = ssl.tls_policy()?;
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| Error::config(format!("TLS trust store: {e}; set ssl.ca.location")))?;
        let verifier = Arc::new(Verifier {
            inner: webpki,
            verify_hostname: ssl.verify_hostname,
            verify_certificate: ssl.verify_certificate,
        });
        let builder = rustls::ClientConfig::builder_with_provider(policy.provider)
            .with_protocol_versions(&policy.versions)
            .map_err(|e| Error::config(format!("TLS protocol versions: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let chain = match (&ssl.certificate_pem, &ssl.certificate_location) {
            (Some(pem), _) => Some(parse_certs(
                &mut pem.as_bytes(),
                "ssl.certificate.pem",
                "the inline PEM",
            )?),
            (None, Some(path)) => Some(read_certs(path, "ssl.certificate.location")?),
            _ => None,
        };
        let key = match (&ssl.key_pem, &ssl.key_location) {
            (Some(pem), _) => Some(parse_key(
                &mut pem.expose().as_bytes(),
                "ssl.key.pem",
                "the inline PEM",
            )?),
            (None, Some(path)) => Some(read_key(path, "ssl.key.location")?),
            _ => None,
        };
        let config = match (chain, key) {
            (Some(chain), Some(key)) => builder.with_client_auth_cert(chain, key).map_err(|e| {
                Error::config(format!(
                    "the client certificate and key do not fit together: {e}"
                ))
            })?,
            _ => builder.with_no_client_auth(),
        };
        Ok(TlsSetup {
            connector: TlsConnector::from(Arc::new(config)),
            trust_source,
            verify_hostname: ssl.verify_hostname,
        })
    }

    /// Runs the TLS handshake over `stream` to `addr` (`host:port`), bounded by `timeout`.
    pub async fn wrap(
        &self,
        addr: &str,
        stream: BoxTransport,
        timeout: Duration,
    ) -> Result<BoxTransport> {
        let host = host_of(addr);
        let name = ServerName::try_from(host.to_string()).map_err(|e| {
            Error::config(format!(
                "broker address {addr}: {host} is not a valid TLS server name: {e}"
            ))
        })?;
        // rustls asks for at most 4 KiB per read: read the socket in large chunks under it,
        // so a fetch response of 1 MiB is not 256 `recv` calls.
        let stream = RecordReader::with_capacity(READ_BUFFER, stream);
        let handshake = self.connector.connect(name, stream);
        let tls = tokio::time::timeout(timeout, handshake)
            .await
            .map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the TLS handshake with {addr} took longer than \
                         socket.connection.setup.timeout.ms ({} ms); check that this port \
                         speaks TLS (security.protocol)",
                        timeout.as_millis()
                    ),
                )
            })?
            .map_err(|e| self.handshake_error(addr, e))?;
        Ok(Box::new(tls))
    }

    fn handshake_error(&self, addr: &str, e: std::io::Error) -> Error {
        let tls_err = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .cloned();
        let Some(tls_err) = tls_err else {
            // Typically the broker dropped the connection on reading a ClientHello where it
            // expected a Kafka frame: a listener without TLS.
            return Error::network(
                format!(
                    "TLS handshake with {addr} (the broker ended it: if this listener is \
                     PLAINTEXT or SASL_PLAINTEXT, set security.protocol to match)"
                ),
                e,
            );
        };
        let message = match &tls_err {
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            ) => format!(
                "TLS handshake with {addr} failed: the broker's certificate does not name host \
                 {} ({tls_err}); connect with a name the certificate lists, or set \
                 ssl.endpoint.identification.algorithm= (empty) to check only the chain",
                host_of(addr)
            ),
            rustls::Error::InvalidCertificate(_) => format!(
                "TLS handshake with {addr} failed: the broker's certificate was not trusted \
                 ({tls_err}); trusted CAs come from {}: point ssl.ca.location at the CA that \
                 signed the broker's certificate",
                self.trust_source
            ),
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                format!(
                    "TLS handshake with {addr} failed: the broker did not answer with TLS \
                     ({tls_err}); check that this listener uses SSL or SASL_SSL \
                     (security.protocol)"
                )
            }
            rustls::Error::PeerIncompatible(_)
            | rustls::Error::AlertReceived(
                rustls::AlertDescription::ProtocolVersion
                | rustls::AlertDescription::HandshakeFailure
                | rustls::AlertDescription::InsufficientSecurity,
            ) => format!(
                "TLS handshake with {addr} failed: the broker and this client share no TLS \
                 protocol version or cipher suite ({tls_err}); compare ssl.enabled.protocols, \
                 ssl.protocol and ssl.cipher.suites on both sides (and send a client certificate \
                 if the broker requires one)"
            ),
            _ => format!(
                "TLS handshake with {addr} failed: {tls_err}; check the broker's TLS settings \
                 and {} (and the client certificate if the broker requires one)",
                self.trust_source
            ),
        };
        Error::new(ErrorKind::Authentication, message).with_source(tls_err)
    }
}

/// The host part of `host:port` (brackets removed from an IPv6 literal).
fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map(|(h, _)| h).unwrap_or(addr);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// webpki verification, with the host-name check optional (Kafka's empty
/// `ssl.endpoint.identification.algorithm`); the chain is always verified.
#[derive(Debug)]
struct Verifier {
    inner: Arc<WebPkiServerVerifier>,
    verify_hostname: bool,
    /// `enable.ssl.certificate.verification=false`: accept any certificate (signatures of the
    /// handshake itself are still checked).
    verify_certificate: bool,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if !self.verify_certificate {
            return Ok(ServerCertVerified::assertion());
        }
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.verify_hostname => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn host_of_addresses() {
        assert_eq!(host_of("127.0.0.1:9093"), "127.0.0.1");
        assert_eq!(host_of("broker-1.example.com:9093"), "broker-1.example.com");
        assert_eq!(host_of("[::1]:9093"), "::1");
    }
}

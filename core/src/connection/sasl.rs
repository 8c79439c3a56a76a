//! SASL authentication of a connection (`SASL_PLAINTEXT` / `SASL_SSL`): when it opens, and
//! again for each KIP-368 re-authentication (`reauth`).
//!
//! Owns the Kafka framing of SASL (KIP-152): SaslHandshake v1 naming the mechanism, then
//! SaslAuthenticate requests carrying the tokens that `rsasl` produces for PLAIN and
//! SCRAM-SHA-256/512, until the mechanism finishes and the broker accepts. Failures are
//! [`ErrorKind::Authentication`] errors with the Kafka code; no credential is ever logged or put
//! in a message. It must not retry: the pool's backoff and the callers decide.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::{SaslAuthenticateRequest, SaslHandshakeRequest};
use kafka_protocol::protocol::StrBytes;
use rsasl::prelude::{Mechname, SASLClient, SASLConfig as RsaslConfig};
use tracing::debug;

use super::Link;
use crate::config::SaslConfig;
use crate::error::{Error, ErrorKind, Result};

/// Kafka's UNSUPPORTED_SASL_MECHANISM.
const UNSUPPORTED_SASL_MECHANISM: i16 = 33;
/// Most SaslAuthenticate round trips any supported mechanism needs (SCRAM needs 2).
const MAX_ROUNDS: usize = 8;

fn auth_error(code: Option<i16>, message: String) -> Error {
    Error::new(ErrorKind::Authentication, message).with_code(code)
}

/// Authenticates the connection behind `conn` with `sasl`, SaslAuthenticate at `version`;
/// returns the broker's session lifetime in ms (0 = unlimited).
pub(super) async fn authenticate(conn: &Link, version: i16, sasl: &SaslConfig) -> Result<i64> {
    let addr = conn.addr().to_string();
    let mech = sasl.mechanism.name();
    let handshake = SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(mech));
    let resp = conn.request_raw(&handshake, 1, None).await?;
    if resp.error_code == UNSUPPORTED_SASL_MECHANISM {
        let enabled: Vec<&str> = resp.mechanisms.iter().map(|m| m.as_str()).collect();
        return Err(auth_error(
            Some(resp.error_code),
            format!(
                "broker {addr} does not enable SASL mechanism {mech} (it enables: {}); set \
                 sasl.mechanism to one of those",
                enabled.join(", ")
            ),
        ));
    }
    if resp.error_code != 0 {
        let e = Error::from_code(resp.error_code, format!("SaslHandshake with {addr}"));
        return Err(auth_error(Some(resp.error_code), e.to_string()));
    }

    let config = RsaslConfig::with_credentials(
        None,
        sasl.username.clone(),
        sasl.password.expose().to_string(),
    )
    .map_err(|e| Error::config(format!("SASL {mech} client: {e}")))?;
    let name = Mechname::parse(mech.as_bytes())
        .map_err(|e| Error::internal(format!("mechanism name {mech}: {e}")))?;
    let mut session = SASLClient::new(Arc::clone(&config))
        .start_suggested(&[name])
        .map_err(|e| Error::internal(format!("starting SASL {mech}: {e}")))?;

    let mut input: Option<Bytes> = None;
    let mut lifetime_ms = 0;
    for _ in 0..MAX_ROUNDS {
        let mut out = Vec::new();
        let state = session.step(input.as_deref(), &mut out).map_err(|e| {
            auth_error(
                None,
                format!(
                "SASL {mech} with {addr} failed: {e}; the broker's answer did not verify (wrong \
                 server or password store)"
            ),
            )
        })?;
        if state.is_finished() && !state.has_sent_message() {
            // The mechanism verified the broker's last message (SCRAM's server signature).
            return Ok(lifetime_ms);
        }
        let req = SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(out));
        let resp = conn.request_raw(&req, version, None).await?;
        if resp.error_code != 0 {
            let detail = resp
                .error_message
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default();
            debug!(addr = %addr, mechanism = mech, code = resp.error_code, "SASL authentication refused");
            return Err(auth_error(
                Some(resp.error_code),
                format!(
                    "SASL {mech} authentication of user {:?} with {addr} failed (Kafka code {}): \
                     {detail}; check sasl.username and sasl.password (or sasl.jaas.config)",
                    sasl.username, resp.error_code
                ),
            ));
        }
        lifetime_ms = resp.session_lifetime_ms;
        if state.is_finished() {
            return Ok(lifetime_ms);
        }
        input = Some(resp.auth_bytes);
    }
    Err(auth_error(
        None,
        format!("SASL {mech} with {addr} did not finish after {MAX_ROUNDS} round trips"),
    ))
}

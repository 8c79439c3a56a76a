//! SASL on a connection, as Kafka's `SaslServerAuthenticator` runs it: ApiVersions, then
//! SaslHandshake (v0: raw SASL tokens follow as bare frames; v1: tokens ride in
//! SaslAuthenticate), then the mechanism's exchange (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).
//! Any other request before authentication closes the connection. With
//! `connections.max.reauth.ms` the session lifetime goes back in SaslAuthenticate, a client
//! re-authenticates with a new SaslHandshake v1, and a request after expiry closes the
//! connection. Owns the per-listener SASL settings ([`SaslSettings`]) and the per-connection
//! state ([`Authenticator`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::{
    ApiKey, RequestKind, ResponseKind, SaslAuthenticateResponse, SaslHandshakeResponse,
};
use kafka_protocol::protocol::StrBytes;

use super::credentials::CredentialStore;
use super::scram::{constant_time_eq, ScramMechanism, ScramServer, Step};
use crate::context::{ConnectionContext, Principal};

/// Kafka's `sasl.server.max.receive.size` default: the largest frame read before a client
/// has authenticated.
pub const DEFAULT_MAX_RECEIVE_SIZE: u32 = 524_288;

/// The SASL settings of one listener.
pub struct SaslSettings {
    /// `sasl.enabled.mechanisms` (listener-prefixed first), in the order given.
    pub enabled: Vec<String>,
    /// PLAIN users from `listener.name.<l>.plain.sasl.jaas.config` (`user_<name>="<pw>"`).
    pub plain_users: HashMap<String, String>,
    /// `connections.max.reauth.ms`; 0 means sessions never expire.
    pub reauth_ms: i64,
    /// `sasl.server.max.receive.size`.
    pub max_receive_size: u32,
    pub credentials: Arc<CredentialStore>,
}

impl std::fmt::Debug for SaslSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the PLAIN passwords.
        f.debug_struct("SaslSettings")
            .field("enabled", &self.enabled)
            .field("plain_users", &self.plain_users.keys().collect::<Vec<_>>())
            .field("reauth_ms", &self.reauth_ms)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mechanism {
    Plain,
    Scram(ScramMechanism),
}

impl Mechanism {
    fn from_name(name: &str) -> Option<Mechanism> {
        if name == "PLAIN" {
            return Some(Mechanism::Plain);
        }
        ScramMechanism::from_name(name).map(Mechanism::Scram)
    }

    fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Scram(m) => m.name(),
        }
    }
}

enum State {
    /// Before any SaslHandshake (only ApiVersions and SaslHandshake are allowed).
    Start,
    /// After SaslHandshake, before the mechanism finished.
    Exchange {
        mechanism: Mechanism,
        raw_tokens: bool,
        scram: Option<Box<ScramServer>>,
    },
    /// Authenticated.
    Done,
}

/// What the connection loop does with a request.
pub enum Verdict {
    /// Authenticated (or ApiVersions before the handshake): handle it normally.
    Dispatch,
    /// Send this response and keep reading.
    Reply(ResponseKind),
    /// Send this response, then close the connection (the reason is logged, never a secret).
    ReplyAndClose(ResponseKind, String),
    /// Close the connection without an answer.
    Close(String),
}

/// The SASL state of one connection.
pub struct Authenticator {
    settings: Arc<SaslSettings>,
    state: State,
    principal: Option<String>,
    expires: Option<Instant>,
}

fn sb(s: impl Into<String>) -> StrBytes {
    StrBytes::from_string(s.into())
}

fn auth_failed(message: String) -> ResponseKind {
    ResponseKind::SaslAuthenticate(
        SaslAuthenticateResponse::default()
            .with_error_code(ErrorCode::SaslAuthenticationFailed.code())
            .with_error_message(Some(sb(message))),
    )
}

fn illegal_state(api: ApiKey, message: &str) -> ResponseKind {
    match api {
        ApiKey::SaslHandshake => ResponseKind::SaslHandshake(
            SaslHandshakeResponse::default().with_error_code(ErrorCode::IllegalSaslState.code()),
        ),
        _ => ResponseKind::SaslAuthenticate(
            SaslAuthenticateResponse::default()
                .with_error_code(ErrorCode::IllegalSaslState.code())
                .with_error_message(Some(sb(message))),
        ),
    }
}

/// The answer to SaslHandshake / SaslAuthenticate on a listener without SASL, as Kafka gives.
pub fn refuse_without_sasl(api: ApiKey) -> ResponseKind {
    illegal_state(
        api,
        "SASL is not enabled on this listener; connect to a SASL_PLAINTEXT or SASL_SSL listener",
    )
}

impl Authenticator {
    pub fn new(settings: Arc<SaslSettings>) -> Authenticator {
        Authenticator {
            settings,
            state: State::Start,
            principal: None,
            expires: None,
        }
    }

    /// The largest frame to accept next: `sasl.server.max.receive.size` until authenticated.
    pub fn max_frame(&self, socket_max: u32) -> Option<u32> {
        match self.principal {
            None => Some(self.settings.max_receive_size.min(socket_max)),
            Some(_) => None,
        }
    }

    /// Whether the next frame is a bare SASL token (after a SaslHandshake v0).
    pub fn expects_raw_token(&self) -> bool {
        matches!(
            self.state,
            State::Exchange {
                raw_tokens: true,
                ..
            }
        )
    }

    /// Decides what to do with a decoded request.
    pub fn check(
        &mut self,
        conn: &ConnectionContext,
        api: ApiKey,
        version: i16,
        body: &RequestKind,
    ) -> Verdict {
        match body {
            RequestKind::SaslHandshake(req) => self.handshake(version, req.mechanism.as_str()),
            RequestKind::SaslAuthenticate(req) => {
                if !matches!(
                    self.state,
                    State::Exchange {
                        raw_tokens: false,
                        ..
                    }
                ) {
                    return Verdict::ReplyAndClose(
                        illegal_state(api, "SaslAuthenticate without a SaslHandshake first"),
                        "SaslAuthenticate out of order".into(),
                    );
                }
                match self.step(conn, &req.auth_bytes) {
                    Ok(reply) => {
                        let lifetime = if matches!(self.state, State::Done) {
                            self.session_lifetime_ms()
                        } else {
                            0
                        };
                        let mut resp =
                            SaslAuthenticateResponse::default().with_auth_bytes(Bytes::from(reply));
                        if version >= 1 {
                            resp = resp.with_session_lifetime_ms(lifetime);
                        }
                        Verdict::Reply(ResponseKind::SaslAuthenticate(resp))
                    }
                    Err(message) => Verdict::ReplyAndClose(
                        auth_failed(message.clone()),
                        format!("authentication failed: {message}"),
                    ),
                }
            }
            RequestKind::ApiVersions(_) if matches!(self.state, State::Start) => Verdict::Dispatch,
            _ => match (&self.principal, self.expires) {
                (Some(_), Some(exp)) if Instant::now() >= exp => Verdict::Close(
                    "session expired (connections.max.reauth.ms) without re-authentication".into(),
                ),
                (Some(_), _) => Verdict::Dispatch,
                (None, _) => Verdict::Close(format!(
                    "unexpected {api:?} request before SASL authentication"
                )),
            },
        }
    }

    fn handshake(&mut self, version: i16, mechanism: &str) -> Verdict {
        let enabled: Vec<StrBytes> = self
            .settings
            .enabled
            .iter()
            .map(|m| sb(m.clone()))
            .collect();
        let in_order = match self.state {
            State::Start => true,
            // Re-authentication needs SaslHandshake v1 (KIP-368).
            State::Done => version >= 1,
            State::Exchange { .. } => false,
        };
        if !in_order {
            return Verdict::ReplyAndClose(
                illegal_state(ApiKey::SaslHandshake, ""),
                "SaslHandshake out of order".into(),
            );
        }
        let mech = Mechanism::from_name(mechanism)
            .filter(|m| self.settings.enabled.iter().any(|e| e == m.name()));
        let Some(mech) = mech else {
            return Verdict::ReplyAndClose(
                ResponseKind::SaslHandshake(
                    SaslHandshakeResponse::default()
                        .with_error_code(ErrorCode::UnsupportedSaslMechanism.code())
                        .with_mechanisms(enabled),
                ),
                format!(
                    "client asked for SASL mechanism {:?}; enabled: {}",
                    mechanism.chars().take(64).collect::<String>(),
                    self.settings.enabled.join(",")
                ),
            );
        };
        self.state = State::Exchange {
            mechanism: mech,
            raw_tokens: version == 0,
            scram: match mech {
                Mechanism::Scram(m) => Some(Box::new(ScramServer::new(m))),
                Mechanism::Plain => None,
            },
        };
        Verdict::Reply(ResponseKind::SaslHandshake(
            SaslHandshakeResponse::default().with_mechanisms(enabled),
        ))
    }

    /// Handles a bare token after SaslHandshake v0; the reply goes back as a bare frame.
    pub fn raw_token(&mut self, conn: &ConnectionContext, token: &[u8]) -> Result<Vec<u8>, String> {
        self.step(conn, token)
    }

    fn session_lifetime_ms(&self) -> i64 {
        self.settings.reauth_ms.max(0)
    }

    /// Runs one step of the chosen mechanism; on success records the principal.
    fn step(&mut self, conn: &ConnectionContext, token: &[u8]) -> Result<Vec<u8>, String> {
        let State::Exchange {
            mechanism, scram, ..
        } = &mut self.state
        else {
            return Err("no SASL exchange in progress".into());
        };
        let mechanism = *mechanism;
        let (user, reply) = match (mechanism, scram) {
            (Mechanism::Plain, _) => (self.plain(token)?, Vec::new()),
            (Mechanism::Scram(m), Some(server)) => {
                let creds = &self.settings.credentials;
                match server.step(token, |u| creds.get(u, m)) {
                    Ok(Step::Continue(reply)) => return Ok(reply),
                    Ok(Step::Done { user, reply }) => (user, reply),
                    Err(e) => {
                        self.state = State::Start;
                        return Err(e.to_string());
                    }
                }
            }
            (Mechanism::Scram(_), None) => return Err("no SCRAM exchange in progress".into()),
        };
        if let Some(previous) = &self.principal {
            if *previous != user {
                return Err(
                    "re-authentication must keep the same user; reconnect to change user".into(),
                );
            }
        }
        tracing::debug!(peer = %conn.peer, user = %user, mechanism = mechanism.name(), "SASL authentication succeeded");
        conn.set_principal(Principal::user(user.clone()));
        self.principal = Some(user);
        self.expires = (self.settings.reauth_ms > 0)
            .then(|| Instant::now() + Duration::from_millis(self.settings.reauth_ms as u64));
        self.state = State::Done;
        Ok(reply)
    }

    /// PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd`.
    fn plain(&self, token: &[u8]) -> Result<String, String> {
        let invalid = || "Authentication failed: Invalid username or password".to_string();
        let mut parts = token.split(|b| *b == 0);
        let (Some(authzid), Some(user), Some(password), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("Invalid SASL/PLAIN response: expected 3 tokens".into());
        };
        let user = std::str::from_utf8(user).map_err(|_| invalid())?;
        if user.is_empty() {
            return Err("Authentication failed: username not specified".into());
        }
        if !authzid.is_empty() && authzid != user.as_bytes() {
            return Err("Authentication failed: Client requested an authorization id that is different from username".into());
        }
        match self.settings.plain_users.get(user) {
            Some(expected) if constant_time_eq(expected.as_bytes(), password) => {
                Ok(user.to_string())
            }
            _ => Err(invalid()),
        }
    }
}

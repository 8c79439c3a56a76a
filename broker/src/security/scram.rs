//! SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802 / RFC 7677), server side: the salted-and-hashed
//! credential ([`ScramCredential`], never the password) and one authentication exchange
//! ([`ScramServer`]). The cryptography is ring's (HMAC, SHA-2) and, for SaltedPassword,
//! `ferrokafka_protocol::scram` (shared with the core's admin client); this file only parses and
//! builds the SCRAM messages, as Kafka's `ScramSaslServer` does.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ring::rand::SecureRandom;
use ring::{digest, hmac};

pub use ferrokafka_protocol::scram::{ScramMechanism, MAX_ITERATIONS, MIN_ITERATIONS};

fn hmac_algorithm(mech: ScramMechanism) -> hmac::Algorithm {
    match mech {
        ScramMechanism::Sha256 => hmac::HMAC_SHA256,
        ScramMechanism::Sha512 => hmac::HMAC_SHA512,
    }
}

fn digest_algorithm(mech: ScramMechanism) -> &'static digest::Algorithm {
    match mech {
        ScramMechanism::Sha256 => &digest::SHA256,
        ScramMechanism::Sha512 => &digest::SHA512,
    }
}

/// What the broker keeps of a SCRAM password: salt, iterations, StoredKey and ServerKey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramCredential {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

fn hmac_sign(mech: ScramMechanism, key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac_algorithm(mech), key), data)
        .as_ref()
        .to_vec()
}

/// Random bytes from the system's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    // SystemRandom fails only when the OS has no entropy source at all.
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .expect("the operating system's random number generator failed");
    b
}

impl ScramCredential {
    /// Salts and hashes `password` with a fresh random salt.
    pub fn from_password(mech: ScramMechanism, password: &str, iterations: u32) -> Self {
        let salt = random_bytes(32);
        let salted = ferrokafka_protocol::scram::salted_password(
            mech,
            password.as_bytes(),
            &salt,
            iterations.max(1),
        );
        Self::from_salted_password(mech, &salted, salt, iterations)
    }

    /// From the SaltedPassword AlterUserScramCredentials carries (the client ran PBKDF2).
    pub fn from_salted_password(
        mech: ScramMechanism,
        salted: &[u8],
        salt: Vec<u8>,
        iterations: u32,
    ) -> Self {
        let client_key = hmac_sign(mech, salted, b"Client Key");
        let stored_key = digest::digest(digest_algorithm(mech), &client_key)
            .as_ref()
            .to_vec();
        let server_key = hmac_sign(mech, salted, b"Server Key");
        ScramCredential {
            salt,
            iterations,
            stored_key,
            server_key,
        }
    }
}

/// Why a SCRAM exchange failed. The message goes to the client; it never holds a secret.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ScramError {
    #[error("invalid SCRAM message: {0}")]
    Malformed(&'static str),
    #[error("channel binding is not supported; use the client's default SCRAM settings")]
    ChannelBinding,
    #[error("authorization id differs from the user name")]
    AuthzId,
    #[error("Authentication failed during authentication due to invalid credentials with SASL mechanism {0}")]
    BadCredentials(&'static str),
}

enum Stage {
    First,
    Final {
        user: String,
        gs2_header: String,
        client_first_bare: String,
        server_first: String,
        nonce: String,
        credential: Option<ScramCredential>,
    },
    Done,
}

/// One server-side SCRAM exchange: client-first → server-first, client-final → server-final.
pub struct ScramServer {
    mech: ScramMechanism,
    stage: Stage,
}

/// The outcome of one step.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Send these bytes and wait for the client's next message.
    Continue(Vec<u8>),
    /// Authenticated as this user; send these bytes as the last message.
    Done { user: String, reply: Vec<u8> },
}

/// Decodes a SCRAM `saslname` (`=2C` is `,`, `=3D` is `=`).
fn decode_saslname(s: &str) -> Result<String, ScramError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 1..i + 3)
            .ok_or(ScramError::Malformed("bad user name escape"))?;
        out.push(match code {
            "2C" => ',',
            "3D" => '=',
            _ => return Err(ScramError::Malformed("bad user name escape")),
        });
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

fn attr(part: Option<&str>, name: char) -> Result<&str, ScramError> {
    let p = part.ok_or(ScramError::Malformed("missing attribute"))?;
    let mut chars = p.chars();
    if chars.next() != Some(name) || chars.next() != Some('=') {
        return Err(ScramError::Malformed("unexpected attribute"));
    }
    Ok(&p[2..])
}

impl ScramServer {
    pub fn new(mech: ScramMechanism) -> ScramServer {
        ScramServer {
            mech,
            stage: Stage::First,
        }
    }

    /// Processes the client's next message. `lookup` finds the stored credential of a user.
    pub fn step(
        &mut self,
        input: &[u8],
        lookup: impl FnOnce(&str) -> Option<ScramCredential>,
    ) -> Result<Step, ScramError> {
        let text =
            std::str::from_utf8(input).map_err(|_| ScramError::Malformed("not UTF-8 text"))?;
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::First => self.client_first(text, lookup),
            Stage::Final {
                user,
                gs2_header,
                client_first_bare,
                server_first,
                nonce,
                credential,
            } => {
                let (without_proof, proof) = text
                    .rsplit_once(",p=")
                    .ok_or(ScramError::Malformed("client-final-message without proof"))?;
                let mut parts = without_proof.split(',');
                let binding = attr(parts.next(), 'c')?;
                let got_nonce = attr(parts.next(), 'r')?;
                if B64.decode(binding).ok().as_deref() != Some(gs2_header.as_bytes()) {
                    return Err(ScramError::ChannelBinding);
                }
                if got_nonce != nonce {
                    return Err(ScramError::Malformed("nonce mismatch"));
                }
                let proof = B64
                    .decode(proof)
                    .map_err(|_| ScramError::Malformed("proof is not base64"))?;
                let bad = ScramError::BadCredentials(self.mech.name());
                let cred = credential.ok_or(bad.clone())?;
                let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
                let client_signature =
                    hmac_sign(self.mech, &cred.stored_key, auth_message.as_bytes());
                if proof.len() != client_signature.len() {
                    return Err(bad);
                }
                let client_key: Vec<u8> = proof
                    .iter()
                    .zip(&client_signature)
                    .map(|(a, b)| a ^ b)
                    .collect();
                let computed = digest::digest(digest_algorithm(self.mech), &client_key);
                if !constant_time_eq(computed.as_ref(), &cred.stored_key) {
                    return Err(bad);
                }
                let server_signature =
                    hmac_sign(self.mech, &cred.server_key, auth_message.as_bytes());
                Ok(Step::Done {
                    user,
                    reply: format!("v={}", B64.encode(server_signature)).into_bytes(),
                })
            }
            Stage::Done => Err(ScramError::Malformed("exchange already finished")),
        }
    }

    fn client_first(
        &mut self,
        text: &str,
        lookup: impl FnOnce(&str) -> Option<ScramCredential>,
    ) -> Result<Step, ScramError> {
        // gs2-header: "n," or "y," then an optional "a=authzid", then ','.
        let (cb, rest) = text
            .split_once(',')
            .ok_or(ScramError::Malformed("missing GS2 header"))?;
        match cb {
            "n" | "y" => {}
            c if c.starts_with("p=") => return Err(ScramError::ChannelBinding),
            _ => return Err(ScramError::Malformed("bad GS2 channel-binding flag")),
        }
        let (authzid, bare) = rest
            .split_once(',')
            .ok_or(ScramError::Malformed("missing GS2 header"))?;
        let authzid = if authzid.is_empty() {
            None
        } else {
            Some(decode_saslname(attr(Some(authzid), 'a')?)?)
        };
        let gs2_header = format!(
            "{cb},{authzid_raw},",
            authzid_raw = &rest[..rest.len() - bare.len() - 1]
        );
        let mut parts = bare.split(',');
        let first = parts.next();
        if first.is_some_and(|p| p.starts_with("m=")) {
            return Err(ScramError::Malformed(
                "mandatory extensions are not supported",
            ));
        }
        let user = decode_saslname(attr(first, 'n')?)?;
        let client_nonce = attr(parts.next(), 'r')?;
        if user.is_empty() || client_nonce.is_empty() {
            return Err(ScramError::Malformed("empty user name or nonce"));
        }
        // Further attributes are Kafka's SCRAM extensions (e.g. tokenauth); only plain
        // credentials are served, so a token-auth request is refused.
        for ext in parts {
            if ext.starts_with("tokenauth=") && ext != "tokenauth=false" {
                return Err(ScramError::BadCredentials(self.mech.name()));
            }
        }
        if let Some(a) = authzid {
            if a != user {
                return Err(ScramError::AuthzId);
            }
        }
        let credential = lookup(&user);
        // An unknown user still gets a server-first message (with a made-up salt), so the
        // exchange does not reveal which users exist; it fails at the proof.
        let (salt, iterations) = match &credential {
            Some(c) => (c.salt.clone(), c.iterations),
            None => (random_bytes(32), MIN_ITERATIONS),
        };
        let nonce = format!("{client_nonce}{}", B64.encode(random_bytes(24)));
        let server_first = format!("r={nonce},s={},i={iterations}", B64.encode(salt));
        self.stage = Stage::Final {
            user,
            gs2_header,
            client_first_bare: bare.to_string(),
            server_first: server_first.clone(),
            nonce,
            credential,
        };
        Ok(Step::Continue(server_first.into_bytes()))
    }
}

/// Compares secrets without an early exit.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677's SCRAM-SHA-256 example, run through the server.
    #[test]
    fn rfc7677_example_authenticates() {
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let salted = ferrokafka_protocol::scram::salted_password(
            ScramMechanism::Sha256,
            b"pencil",
            &salt,
            4096,
        );
        let cred =
            ScramCredential::from_salted_password(ScramMechanism::Sha256, &salted, salt, 4096);
        let mut s = ScramServer::new(ScramMechanism::Sha256);
        let first = s
            .step(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO", |u| {
                assert_eq!(u, "user");
                Some(cred.clone())
            })
            .unwrap();
        let Step::Continue(server_first) = first else {
            panic!()
        };
        let server_first = String::from_utf8(server_first).unwrap();
        // Our server nonce differs from the RFC's, so build the client proof ourselves.
        let nonce = server_first.split(',').next().unwrap()[2..].to_string();
        let without_proof = format!("c=biws,r={nonce}");
        let auth = format!("n=user,r=rOprNGfwEbeRWgbNEkqO,{server_first},{without_proof}");
        let client_key = hmac_sign(ScramMechanism::Sha256, &salted, b"Client Key");
        let sig = hmac_sign(ScramMechanism::Sha256, &cred.stored_key, auth.as_bytes());
        let proof: Vec<u8> = client_key.iter().zip(&sig).map(|(a, b)| a ^ b).collect();
        let fin = format!("{without_proof},p={}", B64.encode(&proof));
        match s.step(fin.as_bytes(), |_| None).unwrap() {
            Step::Done { user, reply } => {
                assert_eq!(user, "user");
                assert!(reply.starts_with(b"v="));
            }
            other => panic!("{other:?}"),
        }
        // A wrong proof fails.
        let mut s = ScramServer::new(ScramMechanism::Sha256);
        let Step::Continue(sf) = s.step(b"n,,n=user,r=abc", |_| Some(cred.clone())).unwrap() else {
            panic!()
        };
        let nonce = String::from_utf8(sf).unwrap().split(',').next().unwrap()[2..].to_string();
        let fin = format!("c=biws,r={nonce},p={}", B64.encode([0u8; 32]));
        assert!(matches!(
            s.step(fin.as_bytes(), |_| None),
            Err(ScramError::BadCredentials(_))
        ));
    }

    #[test]
    fn malformed_messages_are_errors_not_panics() {
        for m in [
            &b""[..],
            b"x",
            b"n,",
            b"n,,",
            b"p=tls,,n=a,r=b",
            b"n,,n=a",
            b"n,,n==ZZ,r=b",
            b"n,a=bob,n=alice,r=x",
            b"\xff\xfe",
        ] {
            let mut s = ScramServer::new(ScramMechanism::Sha512);
            assert!(s.step(m, |_| None).is_err(), "{m:?}");
        }
    }
}

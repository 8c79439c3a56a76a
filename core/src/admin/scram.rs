//! SCRAM credentials: DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554).
//!
//! Owns salting and hashing a new password on the client (PBKDF2-HMAC-SHA-256/512, as
//! `kafka-configs --add-config 'SCRAM-SHA-512=[password=...]'` does) so the password itself never
//! goes on the wire. It must not log passwords or salted passwords.

use bytes::Bytes;
use kafka_protocol::messages::alter_user_scram_credentials_request::{
    ScramCredentialDeletion, ScramCredentialUpsertion,
};
use kafka_protocol::messages::describe_user_scram_credentials_request::UserName;
use kafka_protocol::messages::{
    AlterUserScramCredentialsRequest, DescribeUserScramCredentialsRequest,
};

use super::Admin;
use crate::config::{SaslMechanism, Secret};
use crate::error::{Error, Result};
use crate::requests::sb;

/// Kafka's default and minimum iteration count for SCRAM credentials.
pub const DEFAULT_SCRAM_ITERATIONS: i32 = 4096;

/// A SCRAM mechanism's wire code in these APIs (1 = SHA-256, 2 = SHA-512).
fn mechanism_code(m: SaslMechanism) -> Result<i8> {
    match m {
        SaslMechanism::ScramSha256 => Ok(1),
        SaslMechanism::ScramSha512 => Ok(2),
        SaslMechanism::Plain => Err(Error::config(
            "SCRAM credentials are SCRAM-SHA-256 or SCRAM-SHA-512; PLAIN users live in the \
             broker's JAAS configuration",
        )),
    }
}

fn mechanism_of(code: i8) -> Option<SaslMechanism> {
    match code {
        1 => Some(SaslMechanism::ScramSha256),
        2 => Some(SaslMechanism::ScramSha512),
        _ => None,
    }
}

/// One stored credential of a user (the broker never returns the salt or hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramCredentialInfo {
    pub mechanism: SaslMechanism,
    pub iterations: i32,
}

/// A change to a user's SCRAM credentials.
#[derive(Debug, Clone)]
pub enum ScramCredentialAlteration {
    /// Set (or replace) the credential of `mechanism` from `password`.
    Upsert {
        user: String,
        mechanism: SaslMechanism,
        iterations: i32,
        password: Secret,
    },
    /// Remove the credential of `mechanism`.
    Delete {
        user: String,
        mechanism: SaslMechanism,
    },
}

fn salted_password(
    mechanism: SaslMechanism,
    password: &str,
    salt: &[u8],
    iterations: u32,
) -> Vec<u8> {
    match mechanism {
        SaslMechanism::ScramSha256 => {
            pbkdf2::pbkdf2_hmac_array::<sha2::Sha256, 32>(password.as_bytes(), salt, iterations)
                .to_vec()
        }
        _ => pbkdf2::pbkdf2_hmac_array::<sha2::Sha512, 64>(password.as_bytes(), salt, iterations)
            .to_vec(),
    }
}

fn random_salt() -> Vec<u8> {
    let mut salt = uuid::Uuid::new_v4().as_bytes().to_vec();
    salt.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    salt
}

impl Admin {
    /// The SCRAM credentials of `users` (every user with one when `None`), by user name.
    pub async fn describe_user_scram_credentials(
        &self,
        users: Option<&[&str]>,
    ) -> Result<Vec<(String, Vec<ScramCredentialInfo>)>> {
        let req = DescribeUserScramCredentialsRequest::default().with_users(users.map(|u| {
            u.iter()
                .map(|n| UserName::default().with_name(sb(n)))
                .collect()
        }));
        let resp = self
            .retry("DescribeUserScramCredentials", || async {
                let conn = self.cluster.any_broker().await?;
                conn.request(&req).await
            })
            .await?;
        if resp.error_code != 0 {
            return Err(Error::from_code(
                resp.error_code,
                "DescribeUserScramCredentials",
            ));
        }
        let mut out = Vec::new();
        for r in resp.results {
            // RESOURCE_NOT_FOUND (91): the user has no credential; Kafka's tool skips it.
            if r.error_code == 91 {
                continue;
            }
            if r.error_code != 0 {
                return Err(Error::from_code(
                    r.error_code,
                    format!("describing SCRAM credentials of {}", r.user.as_str()),
                ));
            }
            let infos = r
                .credential_infos
                .iter()
                .filter_map(|c| {
                    Some(ScramCredentialInfo {
                        mechanism: mechanism_of(c.mechanism)?,
                        iterations: c.iterations,
                    })
                })
                .collect();
            out.push((r.user.to_string(), infos));
        }
        Ok(out)
    }

    /// Applies `changes`; the first refused one is the error.
    pub async fn alter_user_scram_credentials(
        &self,
        changes: &[ScramCredentialAlteration],
    ) -> Result<()> {
        let mut req = AlterUserScramCredentialsRequest::default();
        for c in changes {
            match c {
                ScramCredentialAlteration::Upsert {
                    user,
                    mechanism,
                    iterations,
                    password,
                } => {
                    if *iterations < DEFAULT_SCRAM_ITERATIONS || *iterations > 16384 {
                        return Err(Error::config(format!(
                            "SCRAM iterations must be in [{DEFAULT_SCRAM_ITERATIONS}, 16384], \
                             got {iterations}"
                        )));
                    }
                    let salt = random_salt();
                    let hashed =
                        salted_password(*mechanism, password.expose(), &salt, *iterations as u32);
                    req.upsertions.push(
                        ScramCredentialUpsertion::default()
                            .with_name(sb(user))
                            .with_mechanism(mechanism_code(*mechanism)?)
                            .with_iterations(*iterations)
                            .with_salt(Bytes::from(salt))
                            .with_salted_password(Bytes::from(hashed)),
                    );
                }
                ScramCredentialAlteration::Delete { user, mechanism } => req.deletions.push(
                    ScramCredentialDeletion::default()
                        .with_name(sb(user))
                        .with_mechanism(mechanism_code(*mechanism)?),
                ),
            }
        }
        let resp = self
            .retry("AlterUserScramCredentials", || async {
                let conn = self.controller().await?;
                conn.request(&req).await
            })
            .await?;
        for r in resp.results {
            if r.error_code != 0 {
                let e = Error::from_code(
                    r.error_code,
                    format!("altering SCRAM credentials of {}", r.user.as_str()),
                );
                return Err(match r.error_message {
                    Some(m) if !m.is_empty() => e.context(m.as_str()),
                    _ => e,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salted_password_is_rfc7677_hi() {
        // RFC 7677's SCRAM-SHA-256 example: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==,
        // 4096 iterations; SaltedPassword starts with c4a49510323ab4f952cac1fa99441939.
        let salt = [
            0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e, 0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36,
            0xfa, 0x81,
        ];
        let out = salted_password(SaslMechanism::ScramSha256, "pencil", &salt, 4096);
        assert_eq!(out.len(), 32);
        assert_eq!(&out[..4], &[0xc4, 0xa4, 0x95, 0x10]);
        assert_eq!(
            salted_password(SaslMechanism::ScramSha512, "x", &salt, 4096).len(),
            64
        );
        assert_ne!(random_salt(), random_salt());
    }
}

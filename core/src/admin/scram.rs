//! SCRAM credentials: DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554).
//!
//! Owns the request side of salting and hashing a new password on the client (PBKDF2 through
//! `ferrokafka_protocol::scram`, as `kafka-configs --add-config 'SCRAM-SHA-512=[password=...]'`
//! does) so the password itself never goes on the wire. It must not log passwords or salted
//! passwords.

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

use ferrokafka_protocol::scram::{ScramMechanism, MAX_ITERATIONS, MIN_ITERATIONS};

/// Kafka's default and minimum iteration count for SCRAM credentials.
pub const DEFAULT_SCRAM_ITERATIONS: i32 = MIN_ITERATIONS as i32;

/// The SCRAM mechanism of a SASL mechanism (PLAIN users have no SCRAM credential).
fn scram_of(m: SaslMechanism) -> Result<ScramMechanism> {
    match m {
        SaslMechanism::ScramSha256 => Ok(ScramMechanism::Sha256),
        SaslMechanism::ScramSha512 => Ok(ScramMechanism::Sha512),
        SaslMechanism::Plain => Err(Error::config(
            "SCRAM credentials are SCRAM-SHA-256 or SCRAM-SHA-512; PLAIN users live in the \
             broker's JAAS configuration",
        )),
    }
}

fn mechanism_of(code: i8) -> Option<SaslMechanism> {
    match ScramMechanism::from_type_id(code)? {
        ScramMechanism::Sha256 => Some(SaslMechanism::ScramSha256),
        ScramMechanism::Sha512 => Some(SaslMechanism::ScramSha512),
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
                    if *iterations < DEFAULT_SCRAM_ITERATIONS || *iterations > MAX_ITERATIONS as i32
                    {
                        return Err(Error::config(format!(
                            "SCRAM iterations must be in [{DEFAULT_SCRAM_ITERATIONS}, {MAX_ITERATIONS}], \
                             got {iterations}"
                        )));
                    }
                    let salt = random_salt();
                    let hashed = ferrokafka_protocol::scram::salted_password(
                        scram_of(*mechanism)?,
                        password.expose().as_bytes(),
                        &salt,
                        *iterations as u32,
                    );
                    req.upsertions.push(
                        ScramCredentialUpsertion::default()
                            .with_name(sb(user))
                            .with_mechanism(scram_of(*mechanism)?.type_id())
                            .with_iterations(*iterations)
                            .with_salt(Bytes::from(salt))
                            .with_salted_password(Bytes::from(hashed)),
                    );
                }
                ScramCredentialAlteration::Delete { user, mechanism } => req.deletions.push(
                    ScramCredentialDeletion::default()
                        .with_name(sb(user))
                        .with_mechanism(scram_of(*mechanism)?.type_id()),
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
    fn salts_are_random_and_mechanisms_map() {
        assert_ne!(random_salt(), random_salt());
        assert_eq!(random_salt().len(), 32);
        assert_eq!(scram_of(SaslMechanism::ScramSha512).unwrap().type_id(), 2);
        assert!(scram_of(SaslMechanism::Plain).is_err());
        assert_eq!(mechanism_of(1), Some(SaslMechanism::ScramSha256));
        assert_eq!(mechanism_of(3), None);
    }
}

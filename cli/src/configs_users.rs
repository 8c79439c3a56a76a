//! `kafka-configs --entity-type users`: SCRAM credentials, with ConfigCommand's syntax
//! (`--add-config 'SCRAM-SHA-512=[iterations=8192,password=...]'`, `--delete-config
//! SCRAM-SHA-512`) and output ("Completed updating config for user alice.", "SCRAM credential
//! configs for user-principal 'alice' are SCRAM-SHA-512=iterations=8192"). User quotas are
//! `configs_quotas`. Passwords are never printed.

use ferrokafka_core::admin::{ScramCredentialAlteration, DEFAULT_SCRAM_ITERATIONS};
use ferrokafka_core::config::{SaslMechanism, Secret};
use ferrokafka_core::Admin;

use crate::common::{usage, Printed};

fn mechanism(name: &str) -> Option<SaslMechanism> {
    match name.trim().to_ascii_uppercase().as_str() {
        "SCRAM-SHA-256" => Some(SaslMechanism::ScramSha256),
        "SCRAM-SHA-512" => Some(SaslMechanism::ScramSha512),
        _ => None,
    }
}

/// Whether `key` names a SCRAM mechanism (a credential, not a quota).
pub fn is_scram(key: &str) -> bool {
    mechanism(key).is_some()
}

fn not_scram(key: &str) -> anyhow::Error {
    Printed::new(
        1,
        format!(
            "{key:?} is not a SCRAM mechanism: use SCRAM-SHA-256 or SCRAM-SHA-512 (quotas are \
             altered on their own)"
        ),
    )
    .into()
}

/// One `--add-config` entry `SCRAM-SHA-512=[iterations=8192,password=...]` (brackets removed).
fn upsert(user: &str, key: &str, value: &str) -> anyhow::Result<ScramCredentialAlteration> {
    let mechanism = mechanism(key).ok_or_else(|| not_scram(key))?;
    let mut iterations = DEFAULT_SCRAM_ITERATIONS;
    let mut password = None;
    for part in value.split(',') {
        let (k, v) = part.split_once('=').ok_or_else(|| {
            usage(format!(
                "Invalid {key} value: expected [iterations=<n>,password=<password>] or [password=<password>]"
            ))
        })?;
        match k.trim() {
            "iterations" => {
                iterations = v.trim().parse().map_err(|_| {
                    usage(format!(
                        "Invalid {key} iterations {:?}: expected an integer",
                        v.trim()
                    ))
                })?
            }
            "password" => password = Some(Secret::new(v)),
            other => {
                return Err(usage(format!(
                    "Invalid {key} option {other:?}: use iterations and password"
                )))
            }
        }
    }
    let password = password.ok_or_else(|| usage(format!("{key} needs a password=<password>")))?;
    Ok(ScramCredentialAlteration::Upsert {
        user: user.to_string(),
        mechanism,
        iterations,
        password,
    })
}

/// `--alter`: upserts from `adds`, deletions from `deletes`.
pub async fn alter(
    admin: &Admin,
    user: &str,
    adds: &[(String, String)],
    deletes: &[String],
) -> anyhow::Result<()> {
    let mut changes = Vec::new();
    for (k, v) in adds {
        changes.push(upsert(user, k, v)?);
    }
    for k in deletes {
        changes.push(ScramCredentialAlteration::Delete {
            user: user.to_string(),
            mechanism: mechanism(k).ok_or_else(|| not_scram(k))?,
        });
    }
    admin.alter_user_scram_credentials(&changes).await?;
    println!("Completed updating config for user {user}.");
    Ok(())
}

/// `--describe`: the SCRAM mechanisms of `user` (of every user with credentials when `None`).
pub async fn describe(admin: &Admin, user: Option<&str>) -> anyhow::Result<()> {
    let users: Vec<&str> = user.into_iter().collect();
    let filter = (!users.is_empty()).then_some(users.as_slice());
    for (name, infos) in admin.describe_user_scram_credentials(filter).await? {
        let text: Vec<String> = infos
            .iter()
            .map(|i| format!("{}=iterations={}", i.mechanism.name(), i.iterations))
            .collect();
        println!(
            "SCRAM credential configs for user-principal '{name}' are {}",
            text.join(", ")
        );
    }
    Ok(())
}

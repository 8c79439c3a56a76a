//! The broker's SCRAM credential store: per user and mechanism, the salt, iterations, StoredKey
//! and ServerKey (never a password), kept in `__ferrokafka/scram-credentials.json` and replaced
//! atomically on every change so it survives restarts. Also parses `--add-scram` specs in
//! `kafka-storage format`'s spelling: `SCRAM-SHA-512=[name=alice,password=alice-secret]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::scram::{ScramCredential, ScramMechanism, MIN_ITERATIONS};
use crate::durable;
use crate::error::BrokerError;

#[derive(Serialize, Deserialize)]
struct StoredEntry {
    user: String,
    mechanism: String,
    salt: String,
    iterations: u32,
    stored_key: String,
    server_key: String,
}

/// SCRAM credentials by (user, mechanism).
pub struct CredentialStore {
    path: PathBuf,
    entries: RwLock<BTreeMap<(String, ScramMechanism), ScramCredential>>,
}

impl CredentialStore {
    /// Opens (or starts empty) the store in the broker's metadata directory.
    pub fn open(meta_dir: &Path) -> Result<CredentialStore, BrokerError> {
        let path = meta_dir.join("scram-credentials.json");
        let mut entries = BTreeMap::new();
        match std::fs::read(&path) {
            Ok(bytes) => {
                let corrupt = |message: String| BrokerError::Corrupt {
                    path: path.clone(),
                    message,
                };
                let list: Vec<StoredEntry> =
                    serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
                for e in list {
                    let mech = ScramMechanism::from_name(&e.mechanism)
                        .ok_or_else(|| corrupt(format!("unknown mechanism {}", e.mechanism)))?;
                    let b = |s: &str| B64.decode(s).map_err(|e| corrupt(e.to_string()));
                    entries.insert(
                        (e.user, mech),
                        ScramCredential {
                            salt: b(&e.salt)?,
                            iterations: e.iterations,
                            stored_key: b(&e.stored_key)?,
                            server_key: b(&e.server_key)?,
                        },
                    );
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(BrokerError::io(&path, e)),
        }
        Ok(CredentialStore {
            path,
            entries: RwLock::new(entries),
        })
    }

    /// The credential of `user` for `mech`.
    pub fn get(&self, user: &str, mech: ScramMechanism) -> Option<ScramCredential> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.get(&(user.to_string(), mech)).cloned()
    }

    /// Every (mechanism, iterations) of `user`.
    pub fn describe(&self, user: &str) -> Vec<(ScramMechanism, u32)> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .iter()
            .filter(|((u, _), _)| u == user)
            .map(|((_, m), c)| (*m, c.iterations))
            .collect()
    }

    /// Every user with at least one credential.
    pub fn users(&self) -> Vec<String> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        let mut users: Vec<String> = entries.keys().map(|(u, _)| u.clone()).collect();
        users.dedup();
        users
    }

    /// Applies upserts and deletions together and persists the result.
    pub fn apply(
        &self,
        upserts: Vec<(String, ScramMechanism, ScramCredential)>,
        deletions: Vec<(String, ScramMechanism)>,
    ) -> Result<(), BrokerError> {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        let mut next = entries.clone();
        for (u, m) in deletions {
            next.remove(&(u, m));
        }
        for (u, m, c) in upserts {
            next.insert((u, m), c);
        }
        self.persist(&next)?;
        *entries = next;
        Ok(())
    }

    /// Whether `user` has a credential for `mech`.
    pub fn contains(&self, user: &str, mech: ScramMechanism) -> bool {
        self.get(user, mech).is_some()
    }

    fn persist(
        &self,
        entries: &BTreeMap<(String, ScramMechanism), ScramCredential>,
    ) -> Result<(), BrokerError> {
        let list: Vec<StoredEntry> = entries
            .iter()
            .map(|((user, mech), c)| StoredEntry {
                user: user.clone(),
                mechanism: mech.name().to_string(),
                salt: B64.encode(&c.salt),
                iterations: c.iterations,
                stored_key: B64.encode(&c.stored_key),
                server_key: B64.encode(&c.server_key),
            })
            .collect();
        let bytes = serde_json::to_vec_pretty(&list).map_err(|e| BrokerError::Corrupt {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        durable::write_atomically(&self.path, &bytes, true)?;
        Ok(())
    }
}

/// A parsed `--add-scram` spec: `SCRAM-SHA-512=[name=alice,password=alice-secret]`, with
/// optional `iterations=8192` (Kafka's `kafka-storage format --add-scram` syntax). The password
/// may be quoted (`password="a,b"`).
#[derive(Clone)]
pub struct AddScram {
    pub mechanism: ScramMechanism,
    pub user: String,
    pub password: String,
    pub iterations: u32,
}

impl std::fmt::Debug for AddScram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddScram")
            .field("mechanism", &self.mechanism)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("iterations", &self.iterations)
            .finish()
    }
}

impl AddScram {
    pub fn parse(spec: &str) -> Result<AddScram, String> {
        let usage = "expected SCRAM-SHA-256|SCRAM-SHA-512=[name=<user>,password=<password>]";
        let (mech, rest) = spec.trim().split_once('=').ok_or(usage)?;
        let mechanism = ScramMechanism::from_name(mech.trim())
            .ok_or_else(|| format!("unknown SCRAM mechanism {mech:?}; {usage}"))?;
        let inner = rest
            .trim()
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .ok_or(usage)?;
        let (mut user, mut password, mut iterations) = (None, None, MIN_ITERATIONS);
        for (k, v) in split_kv(inner)? {
            match k.as_str() {
                "name" => user = Some(v),
                "password" => password = Some(v),
                "iterations" => {
                    iterations = v
                        .parse()
                        .ok()
                        .filter(|i| (MIN_ITERATIONS..=super::scram::MAX_ITERATIONS).contains(i))
                        .ok_or("iterations must be a number from 4096 to 16384")?
                }
                "salt" | "saltedpassword" => {
                    return Err(format!("{k} is not supported; give the password instead"))
                }
                other => return Err(format!("unknown key {other:?}; {usage}")),
            }
        }
        Ok(AddScram {
            mechanism,
            user: user.filter(|u| !u.is_empty()).ok_or(usage)?,
            password: password.ok_or(usage)?,
            iterations,
        })
    }
}

/// Splits `a=b,c="d,e"` into pairs.
fn split_kv(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.trim().is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                value.push(c);
            }
            if chars.peek() == Some(&',') {
                chars.next();
            }
        } else {
            value = chars.by_ref().take_while(|c| *c != ',').collect();
        }
        out.push((key.trim().to_string(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_scram_specs_parse_like_kafka_storage() {
        let a = AddScram::parse("SCRAM-SHA-512=[name=alice,password=alice-secret]").unwrap();
        assert_eq!(a.mechanism, ScramMechanism::Sha512);
        assert_eq!(
            (a.user.as_str(), a.password.as_str()),
            ("alice", "alice-secret")
        );
        let a =
            AddScram::parse("SCRAM-SHA-256=[name=bob,password=\"a,b=c\",iterations=8192]").unwrap();
        assert_eq!((a.password.as_str(), a.iterations), ("a,b=c", 8192));
        assert!(!format!("{a:?}").contains("a,b=c"));
        assert!(AddScram::parse("SCRAM-SHA-1=[name=a,password=b]").is_err());
        assert!(AddScram::parse("SCRAM-SHA-512=name=a").is_err());
        assert!(AddScram::parse("SCRAM-SHA-512=[password=b]").is_err());
    }

    #[test]
    fn credentials_survive_reopen_and_hold_no_password() {
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialStore::open(dir.path()).unwrap();
        let c = ScramCredential::from_password(ScramMechanism::Sha512, "s3cret-pw", 4096);
        store
            .apply(
                vec![("alice".into(), ScramMechanism::Sha512, c.clone())],
                vec![],
            )
            .unwrap();
        let text = std::fs::read_to_string(dir.path().join("scram-credentials.json")).unwrap();
        assert!(!text.contains("s3cret-pw"));
        let store = CredentialStore::open(dir.path()).unwrap();
        assert_eq!(store.get("alice", ScramMechanism::Sha512), Some(c));
        assert_eq!(
            store.describe("alice"),
            vec![(ScramMechanism::Sha512, 4096)]
        );
        store
            .apply(vec![], vec![("alice".into(), ScramMechanism::Sha512)])
            .unwrap();
        assert!(CredentialStore::open(dir.path())
            .unwrap()
            .users()
            .is_empty());
    }
}

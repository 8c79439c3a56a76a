//! The topic registry: names, topic ids, partitions and config overrides — durable.
//!
//! Owns the list of topics and the open partition logs. Topic metadata is one small JSON file
//! (`<log.dirs>/__ferrokafka/topics.json`) replaced atomically on every change; the record data
//! lives in the partition logs (`<log.dirs>/<topic>-<partition>/`). Handlers look topics up here;
//! it never decodes requests.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::BrokerConfig;
use crate::durable::write_atomically;
use crate::error::BrokerError;
use crate::partition::Partition;
use crate::topic_config;

/// A topic as clients see it. Immutable: a change builds a new `Topic` sharing the partitions.
#[derive(Debug)]
pub struct Topic {
    pub name: String,
    pub id: Uuid,
    pub partitions: Vec<Arc<Partition>>,
    pub configs: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct TopicRecord {
    name: String,
    id: Uuid,
    partitions: i32,
    configs: BTreeMap<String, String>,
}

#[derive(Default)]
struct Inner {
    by_name: BTreeMap<String, Arc<Topic>>,
    by_id: HashMap<Uuid, String>,
}

/// Why a topic operation was refused, with the Kafka error code to answer.
#[derive(Debug, thiserror::Error)]
pub enum TopicError {
    #[error("Topic '{0}' already exists.")]
    AlreadyExists(String),
    #[error("This server does not host this topic: {0}")]
    Unknown(String),
    #[error("{0}")]
    InvalidName(String),
    #[error("{0}")]
    InvalidPartitions(String),
    #[error("{0}")]
    InvalidConfig(String),
    #[error("Topic deletion is disabled (delete.topic.enable=false).")]
    DeletionDisabled,
    #[error("storage error: {0}")]
    Storage(#[from] BrokerError),
}

impl TopicError {
    /// The Kafka error code for this refusal.
    pub fn code(&self) -> i16 {
        match self {
            TopicError::AlreadyExists(_) => 36,
            TopicError::Unknown(_) => 3,
            TopicError::InvalidName(_) => 17,
            TopicError::InvalidPartitions(_) => 37,
            TopicError::InvalidConfig(_) => 40,
            TopicError::DeletionDisabled => 73,
            TopicError::Storage(_) => 56,
        }
    }
}

/// Kafka's rule for legal topic names.
pub fn validate_topic_name(name: &str) -> Result<(), TopicError> {
    if name.is_empty() {
        return Err(TopicError::InvalidName(
            "Topic name is illegal, it can't be empty".into(),
        ));
    }
    if name == "." || name == ".." {
        return Err(TopicError::InvalidName(
            "Topic name cannot be \".\" or \"..\"".into(),
        ));
    }
    if name.len() > 249 {
        return Err(TopicError::InvalidName(format!(
            "Topic name is illegal, it can't be longer than 249 characters, topic name: {name}"
        )));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return Err(TopicError::InvalidName(format!(
            "Topic name {name} is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        )));
    }
    Ok(())
}

/// Topics and their partitions, shared by every connection.
pub struct TopicRegistry {
    dir: PathBuf,
    meta_file: PathBuf,
    broker: Arc<BrokerConfig>,
    inner: RwLock<Inner>,
    /// Serialises changes (create/delete/alter) so the metadata file matches memory.
    change: std::sync::Mutex<()>,
}

impl TopicRegistry {
    /// Loads the registry from `config.log_dirs`, opening (and recovering) every partition log.
    pub fn open(broker: Arc<BrokerConfig>) -> Result<TopicRegistry, BrokerError> {
        let dir = broker.log_dirs.clone();
        let meta_dir = dir.join("__ferrokafka");
        std::fs::create_dir_all(&meta_dir).map_err(|e| BrokerError::io(&meta_dir, e))?;
        let meta_file = meta_dir.join("topics.json");
        let records: Vec<TopicRecord> = match std::fs::read(&meta_file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| BrokerError::Corrupt {
                path: meta_file.clone(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(BrokerError::io(&meta_file, e)),
        };
        let mut inner = Inner::default();
        let now = crate::now_ms();
        for r in records {
            let log_config = topic_config::log_config(&r.configs, &broker);
            let mut partitions = Vec::with_capacity(r.partitions.max(0) as usize);
            for p in 0..r.partitions {
                partitions.push(Arc::new(Partition::open(
                    &dir,
                    &r.name,
                    p,
                    log_config.clone(),
                    now,
                )?));
            }
            inner.by_id.insert(r.id, r.name.clone());
            inner.by_name.insert(
                r.name.clone(),
                Arc::new(Topic {
                    name: r.name,
                    id: r.id,
                    partitions,
                    configs: r.configs,
                }),
            );
        }
        tracing::info!(topics = inner.by_name.len(), dir = %dir.display(), "topics loaded");
        Ok(TopicRegistry {
            dir,
            meta_file,
            broker,
            inner: RwLock::new(inner),
            change: std::sync::Mutex::new(()),
        })
    }

    pub fn log_dir(&self) -> &Path {
        &self.dir
    }

    pub fn get(&self, name: &str) -> Option<Arc<Topic>> {
        self.read().by_name.get(name).cloned()
    }

    pub fn get_by_id(&self, id: &Uuid) -> Option<Arc<Topic>> {
        let inner = self.read();
        inner
            .by_id
            .get(id)
            .and_then(|n| inner.by_name.get(n))
            .cloned()
    }

    pub fn all(&self) -> Vec<Arc<Topic>> {
        self.read().by_name.values().cloned().collect()
    }

    pub fn partition(&self, name: &str, index: i32) -> Option<Arc<Partition>> {
        let t = self.get(name)?;
        usize::try_from(index)
            .ok()
            .and_then(|i| t.partitions.get(i).cloned())
    }

    /// Checks a creation request without creating anything (CreateTopics validate_only).
    pub fn check_create(
        &self,
        name: &str,
        partitions: i32,
        configs: &BTreeMap<String, String>,
    ) -> Result<(), TopicError> {
        validate_topic_name(name)?;
        if partitions <= 0 {
            return Err(TopicError::InvalidPartitions(format!(
                "Number of partitions must be larger than 0 (got {partitions})."
            )));
        }
        for (k, v) in configs {
            topic_config::validate(k, v).map_err(|e| TopicError::InvalidConfig(e.0))?;
        }
        let inner = self.read();
        if inner.by_name.contains_key(name) {
            return Err(TopicError::AlreadyExists(name.to_string()));
        }
        let folded = name.replace('.', "_");
        if let Some(other) = inner.by_name.keys().find(|k| k.replace('.', "_") == folded) {
            return Err(TopicError::InvalidName(format!(
                "Topic '{name}' collides with existing topic: {other}"
            )));
        }
        Ok(())
    }

    /// Creates a topic and its partition logs, durably.
    pub fn create(
        &self,
        name: &str,
        partitions: i32,
        configs: BTreeMap<String, String>,
    ) -> Result<Arc<Topic>, TopicError> {
        let _guard = self.lock_changes();
        self.check_create(name, partitions, &configs)?;
        let log_config = topic_config::log_config(&configs, &self.broker);
        let now = crate::now_ms();
        let mut parts = Vec::with_capacity(partitions as usize);
        for p in 0..partitions {
            // A directory left by a topic of this name that was deleted before a crash.
            let stale = Partition::dir_for(&self.dir, name, p);
            if stale.exists() {
                tracing::warn!(dir = %stale.display(), "removing stale partition directory");
                std::fs::remove_dir_all(&stale).map_err(|e| BrokerError::io(&stale, e))?;
            }
            parts.push(Arc::new(Partition::open(
                &self.dir,
                name,
                p,
                log_config.clone(),
                now,
            )?));
        }
        let topic = Arc::new(Topic {
            name: name.to_string(),
            id: Uuid::new_v4(),
            partitions: parts,
            configs,
        });
        self.replace(|inner| {
            inner.by_id.insert(topic.id, topic.name.clone());
            inner.by_name.insert(topic.name.clone(), topic.clone());
        })?;
        tracing::info!(topic = name, partitions, "topic created");
        Ok(topic)
    }

    /// Deletes a topic and its data.
    pub fn delete(&self, name: &str) -> Result<Arc<Topic>, TopicError> {
        if !self.broker.delete_topic_enable {
            return Err(TopicError::DeletionDisabled);
        }
        let _guard = self.lock_changes();
        let topic = self
            .get(name)
            .ok_or_else(|| TopicError::Unknown(name.to_string()))?;
        self.replace(|inner| {
            inner.by_name.remove(name);
            inner.by_id.remove(&topic.id);
        })?;
        for p in &topic.partitions {
            p.delete();
        }
        tracing::info!(topic = name, "topic deleted");
        Ok(topic)
    }

    /// Raises a topic's partition count.
    pub fn add_partitions(
        &self,
        name: &str,
        count: i32,
        validate_only: bool,
    ) -> Result<(), TopicError> {
        let _guard = self.lock_changes();
        let topic = self
            .get(name)
            .ok_or_else(|| TopicError::Unknown(name.to_string()))?;
        let current = topic.partitions.len() as i32;
        if count <= current {
            return Err(TopicError::InvalidPartitions(format!(
                "Topic currently has {current} partitions, which is higher than the requested {count}."
            )));
        }
        if validate_only {
            return Ok(());
        }
        let log_config = topic_config::log_config(&topic.configs, &self.broker);
        let mut parts = topic.partitions.clone();
        for p in current..count {
            parts.push(Arc::new(Partition::open(
                &self.dir,
                name,
                p,
                log_config.clone(),
                crate::now_ms(),
            )?));
        }
        let updated = Arc::new(Topic {
            name: topic.name.clone(),
            id: topic.id,
            partitions: parts,
            configs: topic.configs.clone(),
        });
        self.replace(|inner| {
            inner.by_name.insert(name.to_string(), updated.clone());
        })?;
        Ok(())
    }

    /// Replaces a topic's config overrides (already validated) and applies them to its logs.
    pub fn set_configs(
        &self,
        name: &str,
        configs: BTreeMap<String, String>,
    ) -> Result<(), TopicError> {
        let _guard = self.lock_changes();
        let topic = self
            .get(name)
            .ok_or_else(|| TopicError::Unknown(name.to_string()))?;
        let log_config = topic_config::log_config(&configs, &self.broker);
        for p in &topic.partitions {
            p.set_config(log_config.clone());
        }
        let updated = Arc::new(Topic {
            name: topic.name.clone(),
            id: topic.id,
            partitions: topic.partitions.clone(),
            configs,
        });
        self.replace(|inner| {
            inner.by_name.insert(name.to_string(), updated.clone());
        })?;
        Ok(())
    }

    /// Flushes and closes every partition log (clean shutdown).
    pub fn close_all(&self) {
        for t in self.all() {
            for p in &t.partitions {
                p.close();
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_changes(&self) -> std::sync::MutexGuard<'_, ()> {
        self.change.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `f` to a copy of the registry, writes it durably, then publishes it.
    fn replace(&self, f: impl FnOnce(&mut Inner)) -> Result<(), BrokerError> {
        let mut next = {
            let inner = self.read();
            Inner {
                by_name: inner.by_name.clone(),
                by_id: inner.by_id.clone(),
            }
        };
        f(&mut next);
        let records: Vec<TopicRecord> = next
            .by_name
            .values()
            .map(|t| TopicRecord {
                name: t.name.clone(),
                id: t.id,
                partitions: t.partitions.len() as i32,
                configs: t.configs.clone(),
            })
            .collect();
        let bytes = serde_json::to_vec_pretty(&records).map_err(|e| BrokerError::Corrupt {
            path: self.meta_file.clone(),
            message: e.to_string(),
        })?;
        write_atomically(&self.meta_file, &bytes, true)?;
        *self.inner.write().unwrap_or_else(|e| e.into_inner()) = next;
        Ok(())
    }
}

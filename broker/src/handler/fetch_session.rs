//! Incremental fetch sessions (KIP-227), with Kafka's semantics: a FULL request (epoch 0)
//! opens a session holding the requested partitions; INCREMENTAL requests (epoch > 0) name only
//! the partitions whose fetch parameters changed and get back only the partitions with news
//! (records, a changed high watermark or log start offset, or an error). Epoch -1 closes a
//! session and fetches without one.
//!
//! Owns the session cache, bounded by `max.incremental.fetch.session.cache.slots` (default
//! 1000), evicting as Kafka's `FetchSessionCache.tryEvict` does: a session unused for
//! `min.incremental.fetch.session.eviction.ms` (default 120 s) first, else the smallest session
//! older than that when the new one has more partitions. Every consumer session is
//! unprivileged (no followers on a single node). Does not read logs: `fetch.rs` does.

use std::collections::HashMap;
use std::sync::Mutex;

use indexmap::IndexMap;
use kafka_protocol::messages::{FetchRequest, TopicName};
use uuid::Uuid;

/// `max.incremental.fetch.session.cache.slots`
pub const CACHE_SLOTS_SETTING: &str = "max.incremental.fetch.session.cache.slots";
/// `min.incremental.fetch.session.eviction.ms`
pub const EVICTION_MS_SETTING: &str = "min.incremental.fetch.session.eviction.ms";
const DEFAULT_SLOTS: usize = 1000;
const DEFAULT_EVICTION_MS: i64 = 120_000;

/// A partition in a fetch, by topic id (v13+) or name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionKey {
    pub topic_id: Uuid,
    pub topic: String,
    pub partition: i32,
}

/// What a fetch asks of one partition.
#[derive(Clone, Debug)]
pub struct Wanted {
    pub topic: TopicName,
    pub topic_id: Uuid,
    pub partition: i32,
    pub fetch_offset: i64,
    pub partition_max_bytes: i32,
    pub current_leader_epoch: i32,
}

impl Wanted {
    fn key(&self, by_id: bool) -> PartitionKey {
        PartitionKey {
            topic_id: if by_id { self.topic_id } else { Uuid::nil() },
            topic: if by_id {
                String::new()
            } else {
                self.topic.0.to_string()
            },
            partition: self.partition,
        }
    }
}

/// What was last sent for a cached partition.
#[derive(Clone, Debug)]
struct Cached {
    wanted: Wanted,
    high_watermark: i64,
    log_start_offset: i64,
}

struct Session {
    epoch: i32,
    by_id: bool,
    partitions: IndexMap<PartitionKey, Cached>,
    created_ms: i64,
    last_used_ms: i64,
}

/// Counters readable from tests and tools (see `BrokerHandle::fetch_session_metrics`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchSessionMetrics {
    /// Sessions in the cache now.
    pub sessions: usize,
    /// Partitions cached across sessions now.
    pub partitions: usize,
    pub sessions_created: u64,
    pub evictions: u64,
    /// Requests with epoch 0 or -1.
    pub full_fetches: u64,
    /// Requests with epoch > 0 answered from a session.
    pub incremental_fetches: u64,
    pub session_id_not_found: u64,
    pub invalid_epoch: u64,
}

/// How a request is to be answered.
pub enum Plan {
    /// Answer the request's own partitions; if `create`, open a session afterwards.
    Full { wanted: Vec<Wanted>, create: bool },
    /// Answer the session's partitions, then keep only those with news.
    Incremental {
        session_id: i32,
        epoch: i32,
        wanted: Vec<Wanted>,
    },
    /// Answer with this top-level error and no partitions.
    Error(ferrokafka_protocol::ErrorCode),
}

struct Inner {
    sessions: HashMap<i32, Session>,
    metrics: FetchSessionMetrics,
    next_id: i32,
}

pub struct FetchSessionCache {
    slots: usize,
    eviction_ms: i64,
    inner: Mutex<Inner>,
}

/// Kafka's `FetchMetadata.nextEpoch`.
fn next_epoch(epoch: i32) -> i32 {
    if epoch < 0 {
        -1
    } else if epoch == i32::MAX {
        1
    } else {
        epoch + 1
    }
}

/// Flattens a request's topics into wanted partitions, in request order.
pub fn wanted_of(req: &FetchRequest) -> Vec<Wanted> {
    req.topics
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(move |p| Wanted {
                topic: t.topic.clone(),
                topic_id: t.topic_id,
                partition: p.partition,
                fetch_offset: p.fetch_offset,
                partition_max_bytes: p.partition_max_bytes,
                current_leader_epoch: p.current_leader_epoch,
            })
        })
        .collect()
}

impl FetchSessionCache {
    pub fn new(config: &crate::config::BrokerConfig) -> FetchSessionCache {
        let setting = |key: &str| config.given.get(key).and_then(|v| v.parse::<i64>().ok());
        FetchSessionCache {
            slots: setting(CACHE_SLOTS_SETTING)
                .map_or(DEFAULT_SLOTS, |v| usize::try_from(v.max(0)).unwrap_or(0)),
            eviction_ms: setting(EVICTION_MS_SETTING).unwrap_or(DEFAULT_EVICTION_MS),
            inner: Mutex::new(Inner {
                sessions: HashMap::new(),
                metrics: FetchSessionMetrics::default(),
                next_id: 1,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn metrics(&self) -> FetchSessionMetrics {
        let inner = self.lock();
        let mut m = inner.metrics;
        m.sessions = inner.sessions.len();
        m.partitions = inner.sessions.values().map(|s| s.partitions.len()).sum();
        m
    }

    /// Decides how to answer `req` (Kafka's `FetchManager.newContext`), updating the session
    /// named by an incremental request and moving its epoch on.
    pub fn plan(&self, req: &FetchRequest, by_id: bool, now_ms: i64) -> Plan {
        let mut inner = self.lock();
        let wanted = wanted_of(req);
        if req.session_epoch <= 0 {
            inner.metrics.full_fetches += 1;
            if req.session_id != 0 {
                inner.sessions.remove(&req.session_id);
            }
            return Plan::Full {
                wanted,
                create: req.session_epoch == 0,
            };
        }
        let Some(session) = inner.sessions.get_mut(&req.session_id) else {
            inner.metrics.session_id_not_found += 1;
            return Plan::Error(ferrokafka_protocol::ErrorCode::FetchSessionIdNotFound);
        };
        if session.epoch != req.session_epoch || session.by_id != by_id {
            inner.metrics.invalid_epoch += 1;
            return Plan::Error(ferrokafka_protocol::ErrorCode::InvalidFetchSessionEpoch);
        }
        for w in &wanted {
            let key = w.key(by_id);
            match session.partitions.get_mut(&key) {
                Some(c) => c.wanted = w.clone(),
                None => {
                    session.partitions.insert(
                        key,
                        Cached {
                            wanted: w.clone(),
                            high_watermark: -1,
                            log_start_offset: -1,
                        },
                    );
                }
            }
        }
        for t in &req.forgotten_topics_data {
            for p in &t.partitions {
                let key = PartitionKey {
                    topic_id: if by_id { t.topic_id } else { Uuid::nil() },
                    topic: if by_id {
                        String::new()
                    } else {
                        t.topic.0.to_string()
                    },
                    partition: *p,
                };
                session.partitions.shift_remove(&key);
            }
        }
        if session.partitions.is_empty() {
            inner.sessions.remove(&req.session_id);
            inner.metrics.full_fetches += 1;
            return Plan::Full {
                wanted,
                create: false,
            };
        }
        session.last_used_ms = now_ms;
        session.epoch = next_epoch(session.epoch);
        let epoch = session.epoch;
        let wanted = session
            .partitions
            .values()
            .map(|c| c.wanted.clone())
            .collect();
        inner.metrics.incremental_fetches += 1;
        Plan::Incremental {
            session_id: req.session_id,
            epoch,
            wanted,
        }
    }

    /// After a full fetch: opens a session with the answered partitions if the cache has room
    /// or can evict (Kafka's `maybeCreateSession`); returns its id, or 0.
    pub fn create(&self, answered: &[(Wanted, i64, i64)], by_id: bool, now_ms: i64) -> i32 {
        let mut inner = self.lock();
        if inner.sessions.len() >= self.slots && !self.try_evict(&mut inner, answered.len(), now_ms)
        {
            return 0;
        }
        let mut id = inner.next_id;
        while id == 0 || inner.sessions.contains_key(&id) {
            id = id.wrapping_add(1).max(1);
        }
        inner.next_id = id.wrapping_add(1).max(1);
        let partitions = answered
            .iter()
            .map(|(w, hw, lso)| {
                (
                    w.key(by_id),
                    Cached {
                        wanted: w.clone(),
                        high_watermark: *hw,
                        log_start_offset: *lso,
                    },
                )
            })
            .collect();
        inner.sessions.insert(
            id,
            Session {
                epoch: next_epoch(0),
                by_id,
                partitions,
                created_ms: now_ms,
                last_used_ms: now_ms,
            },
        );
        inner.metrics.sessions_created += 1;
        id
    }

    /// Kafka's `tryEvict` for an unprivileged session of `size` partitions.
    fn try_evict(&self, inner: &mut Inner, size: usize, now_ms: i64) -> bool {
        let stale = inner
            .sessions
            .iter()
            .min_by_key(|(id, s)| (s.last_used_ms, **id))
            .filter(|(_, s)| now_ms - s.last_used_ms > self.eviction_ms)
            .map(|(id, _)| *id);
        let victim = stale.or_else(|| {
            inner
                .sessions
                .iter()
                .filter(|(_, s)| now_ms - s.created_ms > self.eviction_ms)
                .min_by_key(|(id, s)| (s.partitions.len(), **id))
                .filter(|(_, s)| size > s.partitions.len())
                .map(|(id, _)| *id)
        });
        match victim {
            Some(id) => {
                inner.sessions.remove(&id);
                inner.metrics.evictions += 1;
                true
            }
            None => false,
        }
    }

    /// After an incremental fetch: which of the session's partitions to answer (Kafka's
    /// `maybeUpdateResponseData`), given for each (records bytes, high watermark, log start
    /// offset, error code). Answered partitions move to the end of the session for fairness.
    /// `None` when the session moved on meanwhile (a duplicate request): answer
    /// INVALID_FETCH_SESSION_EPOCH.
    pub fn select(
        &self,
        session_id: i32,
        epoch: i32,
        by_id: bool,
        results: &[(Wanted, usize, i64, i64, i16)],
    ) -> Option<Vec<bool>> {
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(&session_id)?;
        if session.epoch != epoch {
            return None;
        }
        let mut keep = Vec::with_capacity(results.len());
        let mut answered = Vec::new();
        for (w, bytes, hw, lso, error) in results {
            let key = w.key(by_id);
            let Some(cached) = session.partitions.get_mut(&key) else {
                keep.push(false);
                continue;
            };
            let mut respond = *bytes > 0 || *error != 0;
            if cached.high_watermark != *hw {
                respond = true;
                cached.high_watermark = *hw;
            }
            if cached.log_start_offset != *lso {
                respond = true;
                cached.log_start_offset = *lso;
            }
            if *error != 0 {
                // Re-sent once the error clears.
                cached.high_watermark = -1;
            }
            keep.push(respond);
            if respond {
                answered.push(key);
            }
        }
        for key in answered {
            if let Some(cached) = session.partitions.shift_remove(&key) {
                session.partitions.insert(key, cached);
            }
        }
        Some(keep)
    }
}

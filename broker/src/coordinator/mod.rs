//! Consumer group coordinator (classic protocol) and committed offsets, durable on disk.
//!
//! Owns the groups of this broker: membership (JoinGroup/SyncGroup/Heartbeat/LeaveGroup with
//! Kafka's state machine, KIP-394 member ids and KIP-345 static members), committed offsets
//! (OffsetCommit/OffsetFetch/OffsetDelete) and group administration (List/Describe/DeleteGroups).
//! Behaviour follows Apache Kafka's classic GroupCoordinator. Its API takes and returns the
//! plain Rust types of `types.rs` with [`ErrorCode`](ferrokafka_protocol::ErrorCode) errors: it
//! never sees a protocol message (the request handlers convert, decide what each API version
//! means and encode the response) and does not know about topics beyond [`TopicOracle`].
//!
//! Concurrency: groups live in a sharded map; each group has its own mutex, held only for short
//! synchronous sections and never across an `.await`. Parked JoinGroup/SyncGroup calls wait on
//! tokio oneshot channels; timers (session, rebalance, initial delay, pending sync) are tokio
//! tasks that re-check a sequence number under the group lock when they fire.

mod admin;
mod config;
mod group;
mod heartbeat;
mod join;
mod leave;
mod offsets;
mod rebalance;
mod store;
mod sync;
mod timers;
mod types;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

pub use config::{CoordinatorConfig, CoordinatorError, CoordinatorErrorKind, TopicOracle};
pub use types::{
    ClientInfo, CommitPartition, CommitTopic, GroupDescription, GroupFilter, GroupListing,
    GroupOffsets, Heartbeat, JoinOutcome, JoinRequest, JoinedMember, LeaveOutcome, LeavingMember,
    MemberDescription, OffsetCommit, PartitionOffset, PartitionResults, SyncOutcome, SyncRequest,
    TopicOffsets,
};

use group::{Group, GroupState, Member};
use store::{Record, Store};

/// Shards of the group map; lookups of different groups rarely contend.
const MAP_SHARDS: usize = 16;
/// Kafka's `group.new.member.join.timeout.ms`: how long a new member's parked join may wait.
const NEW_MEMBER_JOIN_TIMEOUT: Duration = Duration::from_secs(300);

pub(crate) type GroupRef = Arc<Mutex<Group>>;

/// The group coordinator of one broker.
pub struct GroupCoordinator {
    me: Weak<GroupCoordinator>,
    config: CoordinatorConfig,
    topics: Arc<dyn TopicOracle>,
    store: Store,
    groups: Vec<RwLock<HashMap<String, GroupRef>>>,
    seq: AtomicU64,
    restored_timers_started: AtomicBool,
    shut_down: AtomicBool,
}

pub(crate) fn lock_group(g: &GroupRef) -> MutexGuard<'_, Group> {
    // A panic in another request while holding the lock must not take the group down for good.
    g.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) use ferrokafka_protocol::now_ms;

fn ms(v: i32) -> Duration {
    Duration::from_millis(v.max(0) as u64)
}

impl GroupCoordinator {
    /// Opens (creating) durable state under `dir` (e.g. `<log.dirs>/__ferrokafka_groups`),
    /// replaying it.
    pub fn open(
        dir: &Path,
        config: CoordinatorConfig,
        topics: Arc<dyn TopicOracle>,
    ) -> Result<Arc<GroupCoordinator>, CoordinatorError> {
        let (store, records) = Store::open(dir)?;
        let mut groups: HashMap<String, Group> = HashMap::new();
        let mut incarnation = 1u64;
        let now = now_ms();
        for record in records {
            match record {
                Record::Group(r) => {
                    let mut g = Group::new(&r.group, r.state_ts);
                    g.protocol_type = r.protocol_type.clone();
                    g.protocol_name = r.protocol_name.clone();
                    g.generation = r.generation;
                    for m in r.members {
                        incarnation += 1;
                        let proto = r.protocol_name.clone().unwrap_or_default();
                        g.add_member(Member {
                            id: m.member_id,
                            instance_id: m.instance_id,
                            client_id: m.client_id,
                            client_host: m.client_host,
                            rebalance_timeout_ms: m.rebalance_timeout_ms,
                            session_timeout_ms: m.session_timeout_ms,
                            protocol_type: r.protocol_type.clone().unwrap_or_default(),
                            protocols: vec![(proto, Bytes::from(m.subscription))],
                            assignment: Bytes::from(m.assignment),
                            awaiting_join: None,
                            awaiting_sync: None,
                            is_new: false,
                            heartbeat_deadline: Instant::now(),
                            incarnation,
                        });
                    }
                    g.leader = r.leader.filter(|l| g.members.contains_key(l));
                    if g.leader.is_none() {
                        g.leader = g.members.keys().next().cloned();
                    }
                    g.state = if g.members.is_empty() {
                        GroupState::Empty
                    } else {
                        GroupState::Stable
                    };
                    let offsets = groups.remove(&r.group).map(|old| old.offsets);
                    if let Some(o) = offsets {
                        g.offsets = o;
                    }
                    groups.insert(r.group, g);
                }
                Record::Offsets { group, entries } => {
                    groups
                        .entry(group.clone())
                        .or_insert_with(|| Group::new(&group, now))
                        .apply_offsets(&entries);
                }
                // Compacted state holds no tombstones.
                Record::OffsetTombstones { .. } | Record::GroupTombstone { .. } => {}
            }
        }
        let mut shards: Vec<HashMap<String, GroupRef>> =
            (0..MAP_SHARDS).map(|_| HashMap::new()).collect();
        for (id, g) in groups {
            if let Some(s) = shards.get_mut(map_shard(&id)) {
                s.insert(id, Arc::new(Mutex::new(g)));
            }
        }
        tracing::info!(dir = %dir.display(), "group coordinator state loaded");
        Ok(Arc::new_cyclic(|me| GroupCoordinator {
            me: me.clone(),
            config,
            topics,
            store,
            groups: shards.into_iter().map(RwLock::new).collect(),
            seq: AtomicU64::new(incarnation + 1),
            restored_timers_started: AtomicBool::new(false),
            shut_down: AtomicBool::new(false),
        }))
    }

    pub(crate) fn config(&self) -> &CoordinatorConfig {
        &self.config
    }

    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }

    pub(crate) fn find_group(&self, id: &str) -> Option<GroupRef> {
        let shard = self.groups.get(map_shard(id))?;
        let map = shard.read().unwrap_or_else(|e| e.into_inner());
        map.get(id).cloned()
    }

    /// Returns the group, creating an Empty one when missing; the bool says it was created.
    pub(crate) fn find_or_create_group(&self, id: &str) -> (GroupRef, bool) {
        if let Some(g) = self.find_group(id) {
            return (g, false);
        }
        let Some(shard) = self.groups.get(map_shard(id)) else {
            return (Arc::new(Mutex::new(Group::new(id, now_ms()))), true);
        };
        let mut map = shard.write().unwrap_or_else(|e| e.into_inner());
        if let Some(g) = map.get(id) {
            return (g.clone(), false);
        }
        let g = Arc::new(Mutex::new(Group::new(id, now_ms())));
        map.insert(id.to_string(), g.clone());
        (g, true)
    }

    /// Removes the group from the map (after it was marked Dead under its lock).
    pub(crate) fn unregister_group(&self, id: &str, which: &GroupRef) {
        if let Some(shard) = self.groups.get(map_shard(id)) {
            let mut map = shard.write().unwrap_or_else(|e| e.into_inner());
            if map.get(id).is_some_and(|g| Arc::ptr_eq(g, which)) {
                map.remove(id);
            }
        }
    }

    pub(crate) fn all_groups(&self) -> Vec<GroupRef> {
        let mut out = Vec::new();
        for shard in &self.groups {
            let map = shard.read().unwrap_or_else(|e| e.into_inner());
            out.extend(map.values().cloned());
        }
        out
    }

    pub(crate) fn persist(&self, group: &str, record: &Record) -> Result<(), CoordinatorError> {
        let r = self.store.append(group, record);
        if let Err(e) = &r {
            tracing::error!(group, error = %e, "writing group coordinator state failed");
        }
        r
    }

    /// Members restored from disk get their session timers once a runtime is running.
    pub(crate) fn ensure_started(&self) {
        // Plain load first: this runs on every request and must not bounce a cache line.
        if self.restored_timers_started.load(Ordering::Acquire)
            || self.restored_timers_started.swap(true, Ordering::AcqRel)
        {
            return;
        }
        for arc in self.all_groups() {
            let members: Vec<(String, u64)> = {
                let mut g = lock_group(&arc);
                let now = Instant::now();
                g.members
                    .values_mut()
                    .map(|m| {
                        m.heartbeat_deadline = now + ms(m.session_timeout_ms);
                        (m.id.clone(), m.incarnation)
                    })
                    .collect()
            };
            for (id, inc) in members {
                self.spawn_member_timer(&arc, id, inc);
            }
        }
    }

    /// Clean shutdown: parked joins and syncs are answered COORDINATOR_NOT_AVAILABLE (clients
    /// retry), timers are cancelled and the state files are synced and compacted.
    pub async fn shutdown(&self) {
        self.shut_down.store(true, Ordering::Release);
        let err = ferrokafka_protocol::ErrorCode::CoordinatorNotAvailable;
        for arc in self.all_groups() {
            let mut g = lock_group(&arc);
            g.join_timer = 0;
            g.sync_timer = 0;
            for m in g.members.values_mut() {
                if let Some(tx) = m.awaiting_join.take() {
                    let _ = tx.send(JoinOutcome::error(err, &m.id));
                }
                if let Some(tx) = m.awaiting_sync.take() {
                    let _ = tx.send(SyncOutcome::error(err));
                }
                // Session timers exit when they see a changed incarnation.
                m.incarnation = 0;
            }
            g.pending_members.clear();
        }
        if let Err(e) = self.store.flush_and_compact() {
            tracing::error!(error = %e, "flushing group coordinator state on shutdown failed");
        }
    }
}

fn map_shard(id: &str) -> usize {
    crc32c::crc32c(id.as_bytes()) as usize % MAP_SHARDS
}

//! In-memory model of one classic consumer group: state, members, pending members, selected
//! protocol and committed offsets, plus the pure helpers Kafka's ClassicGroup provides (protocol
//! selection, member validation, subscribed topics). No I/O, no timers, no locking here.

use std::collections::{BTreeMap, HashMap, HashSet};

use bytes::Bytes;
use ferrokafka_protocol::ErrorCode;
use indexmap::IndexMap;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::store::{GroupRecord, MemberRecord, OffsetEntry};
use super::types::{JoinOutcome, JoinedMember, SyncOutcome};

/// Classic group states, named exactly as Kafka reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

/// One committed offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CommittedOffset {
    pub offset: i64,
    pub leader_epoch: i32,
    pub metadata: Option<String>,
    pub commit_ts: i64,
}

pub(crate) struct Member {
    pub id: String,
    pub instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub rebalance_timeout_ms: i32,
    pub session_timeout_ms: i32,
    pub protocol_type: String,
    pub protocols: Vec<(String, Bytes)>,
    pub assignment: Bytes,
    pub awaiting_join: Option<oneshot::Sender<JoinOutcome>>,
    pub awaiting_sync: Option<oneshot::Sender<SyncOutcome>>,
    /// Joined during the current rebalance and never completed one (expires after 5 minutes).
    pub is_new: bool,
    pub heartbeat_deadline: Instant,
    /// Distinguishes this member from a later one with the same id, for its timer task.
    pub incarnation: u64,
}

impl Member {
    pub(crate) fn metadata_for(&self, protocol: &str) -> Bytes {
        self.protocols
            .iter()
            .find(|(n, _)| n == protocol)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    /// Whether the member joins with exactly the protocols it already has.
    pub(crate) fn matches(&self, protocols: &[(String, Bytes)]) -> bool {
        self.protocols == protocols
    }

    /// The member's first protocol that is among `candidates`.
    fn vote(&self, candidates: &HashSet<&str>) -> Option<&str> {
        self.protocols
            .iter()
            .map(|(n, _)| n.as_str())
            .find(|n| candidates.contains(n))
    }
}

pub(crate) struct Group {
    pub id: String,
    pub state: GroupState,
    pub previous_state: GroupState,
    /// Wall-clock ms of the last state change (offset expiry of empty groups counts from it).
    pub state_ts: i64,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    pub generation: i32,
    pub leader: Option<String>,
    pub members: IndexMap<String, Member>,
    /// group.instance.id -> member id.
    pub static_members: HashMap<String, String>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, with their expiry deadline and timer id.
    pub pending_members: HashMap<String, (Instant, u64)>,
    pub pending_sync: HashSet<String>,
    pub new_member_added: bool,
    /// Sequence of the live join timer (0: none); a firing timer with another value is stale.
    pub join_timer: u64,
    pub sync_timer: u64,
    pub offsets: BTreeMap<(String, i32), CommittedOffset>,
}

impl Group {
    pub(crate) fn new(id: &str, now_ms: i64) -> Self {
        Group {
            id: id.to_string(),
            state: GroupState::Empty,
            previous_state: GroupState::Empty,
            state_ts: now_ms,
            protocol_type: None,
            protocol_name: None,
            generation: 0,
            leader: None,
            members: IndexMap::new(),
            static_members: HashMap::new(),
            pending_members: HashMap::new(),
            pending_sync: HashSet::new(),
            new_member_added: false,
            join_timer: 0,
            sync_timer: 0,
            offsets: BTreeMap::new(),
        }
    }

    pub(crate) fn transition(&mut self, to: GroupState, now_ms: i64) {
        self.previous_state = self.state;
        self.state = to;
        self.state_ts = now_ms;
    }

    pub(crate) fn is(&self, s: GroupState) -> bool {
        self.state == s
    }

    pub(crate) fn is_leader(&self, member_id: &str) -> bool {
        self.leader.as_deref() == Some(member_id)
    }

    pub(crate) fn can_rebalance(&self) -> bool {
        matches!(
            self.state,
            GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty
        )
    }

    /// Largest rebalance timeout of the members (the group's rebalance timeout).
    pub(crate) fn rebalance_timeout_ms(&self) -> i32 {
        self.members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0)
    }

    pub(crate) fn awaiting_join_count(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.awaiting_join.is_some())
            .count()
    }

    pub(crate) fn has_all_members_joined(&self) -> bool {
        self.awaiting_join_count() == self.members.len() && self.pending_members.is_empty()
    }

    /// UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID checks shared by sync, heartbeat, commit and leave.
    pub(crate) fn validate_member(
        &self,
        member_id: &str,
        instance_id: Option<&str>,
    ) -> Result<(), ErrorCode> {
        if let Some(iid) = instance_id {
            match self.static_members.get(iid) {
                None => return Err(ErrorCode::UnknownMemberId),
                Some(existing) if existing != member_id => return Err(ErrorCode::FencedInstanceId),
                Some(_) => {}
            }
        }
        if !self.members.contains_key(member_id) {
            return Err(ErrorCode::UnknownMemberId);
        }
        Ok(())
    }

    fn supported_counts(&self) -> HashMap<&str, usize> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for m in self.members.values() {
            for (n, _) in &m.protocols {
                *counts.entry(n.as_str()).or_default() += 1;
            }
        }
        counts
    }

    /// Kafka's `supportsProtocols`: an empty group takes any non-empty type and protocol list; a
    /// non-empty group needs the same type and one protocol every member supports.
    pub(crate) fn supports_protocols(&self, protocol_type: &str, names: &[&str]) -> bool {
        if self.is(GroupState::Empty) || self.members.is_empty() {
            return !protocol_type.is_empty() && !names.is_empty();
        }
        if self.protocol_type.as_deref() != Some(protocol_type) {
            return false;
        }
        let counts = self.supported_counts();
        names
            .iter()
            .any(|n| counts.get(n).copied().unwrap_or(0) == self.members.len())
    }

    /// Each member votes for its preferred protocol among those all members support; most votes
    /// wins (ties go to the protocol listed first by the earliest member).
    pub(crate) fn select_protocol(&self) -> Option<String> {
        let counts = self.supported_counts();
        let candidates: HashSet<&str> = counts
            .iter()
            .filter(|(_, c)| **c == self.members.len())
            .map(|(n, _)| *n)
            .collect();
        let mut votes: IndexMap<&str, usize> = IndexMap::new();
        for m in self.members.values() {
            if let Some(v) = m.vote(&candidates) {
                *votes.entry(v).or_default() += 1;
            }
        }
        let mut best: Option<(&str, usize)> = None;
        for (name, count) in votes {
            if best.is_none_or(|(_, c)| count > c) {
                best = Some((name, count));
            }
        }
        best.map(|(n, _)| n.to_string())
    }

    /// Leader's view of the members: id, instance id and metadata of the selected protocol.
    pub(crate) fn member_list(&self) -> Vec<JoinedMember> {
        let proto = self.protocol_name.clone().unwrap_or_default();
        self.members
            .values()
            .map(|m| JoinedMember {
                member_id: m.id.clone(),
                instance_id: m.instance_id.clone(),
                metadata: m.metadata_for(&proto),
            })
            .collect()
    }

    pub(crate) fn remove_member(&mut self, member_id: &str) -> Option<Member> {
        let m = self.members.shift_remove(member_id)?;
        if let Some(iid) = &m.instance_id {
            if self.static_members.get(iid).map(String::as_str) == Some(member_id) {
                self.static_members.remove(iid);
            }
        }
        self.pending_sync.remove(member_id);
        if self.is_leader(member_id) {
            self.leader = self.members.keys().next().cloned();
        }
        Some(m)
    }

    pub(crate) fn add_member(&mut self, member: Member) {
        if self.leader.is_none() {
            self.leader = Some(member.id.clone());
        }
        if let Some(iid) = &member.instance_id {
            self.static_members.insert(iid.clone(), member.id.clone());
        }
        if self.protocol_type.is_none() || self.members.is_empty() {
            self.protocol_type = Some(member.protocol_type.clone());
        }
        self.members.insert(member.id.clone(), member);
    }

    /// If the leader did not rejoin, make a member that did the leader. False when none rejoined.
    pub(crate) fn maybe_elect_joined_leader(&mut self) -> bool {
        if let Some(l) = &self.leader {
            if self
                .members
                .get(l)
                .is_some_and(|m| m.awaiting_join.is_some())
            {
                return true;
            }
        }
        match self.members.values().find(|m| m.awaiting_join.is_some()) {
            Some(m) => {
                self.leader = Some(m.id.clone());
                true
            }
            None => false,
        }
    }

    /// Topics the members subscribe to, when the group uses the "consumer" protocol type and the
    /// metadata parses; `None` when unknown.
    pub(crate) fn subscribed_topics(&self) -> Option<HashSet<String>> {
        if self.protocol_type.as_deref() != Some("consumer") {
            return None;
        }
        if self.members.is_empty() {
            return Some(HashSet::new());
        }
        let proto = self.protocol_name.as_deref()?;
        let mut topics = HashSet::new();
        for m in self.members.values() {
            let metadata = m.metadata_for(proto);
            topics.extend(ferrokafka_protocol::consumer_protocol::subscription_topics(
                &metadata,
            )?);
        }
        Some(topics)
    }

    /// Kafka's `isSubscribedToTopic`: unknown subscriptions count as subscribed only for
    /// consumer-protocol groups.
    pub(crate) fn is_subscribed_to(&self, topic: &str) -> bool {
        match self.subscribed_topics() {
            Some(t) => t.contains(topic),
            None => self.protocol_type.as_deref() == Some("consumer"),
        }
    }

    pub(crate) fn to_record(&self) -> GroupRecord {
        let proto = self.protocol_name.clone().unwrap_or_default();
        GroupRecord {
            group: self.id.clone(),
            protocol_type: self.protocol_type.clone(),
            generation: self.generation,
            protocol_name: self.protocol_name.clone(),
            leader: self.leader.clone(),
            state_ts: self.state_ts,
            members: self
                .members
                .values()
                .map(|m| MemberRecord {
                    member_id: m.id.clone(),
                    instance_id: m.instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    rebalance_timeout_ms: m.rebalance_timeout_ms,
                    session_timeout_ms: m.session_timeout_ms,
                    subscription: m.metadata_for(&proto).to_vec(),
                    assignment: m.assignment.to_vec(),
                })
                .collect(),
        }
    }

    pub(crate) fn apply_offsets(&mut self, entries: &[OffsetEntry]) {
        for e in entries {
            self.offsets.insert(
                (e.topic.clone(), e.partition),
                CommittedOffset {
                    offset: e.offset,
                    leader_epoch: e.leader_epoch,
                    metadata: e.metadata.clone(),
                    commit_ts: e.commit_ts,
                },
            );
        }
    }
}

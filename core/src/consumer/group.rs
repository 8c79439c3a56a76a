//! Classic consumer-group membership: FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
//! LeaveGroup, and the group's offset requests (OffsetCommit, OffsetFetch).
//!
//! Owns the member id, generation and coordinator of one consumer, the leader's run of the
//! chosen assignor, and the flags the heartbeat task raises (rejoin needed, assignment lost).
//! It must not fetch records or call the application's rebalance listener (the consumer does).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kafka_protocol::messages::find_coordinator_request::FindCoordinatorRequest;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    GroupId, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest, OffsetCommitRequest,
    OffsetFetchRequest, SyncGroupRequest, TopicName,
};
use kafka_protocol::protocol::{Request, StrBytes};
use tokio::time::Instant;
use tracing::{debug, info};

use super::assignor::protocol::{self, Subscription, PROTOCOL_TYPE};
use super::assignor::{Assignor, RebalanceProtocol};
use super::record::OffsetAndMetadata;
use crate::cluster::Cluster;
use crate::connection::{Connection, ConnectionConfig, Connector};
use crate::error::{Error, ErrorKind, Result};
use crate::types::TopicPartition;

/// Error codes the group logic reacts to.
mod code {
    pub const COORDINATOR_LOAD_IN_PROGRESS: i16 = 14;
    pub const COORDINATOR_NOT_AVAILABLE: i16 = 15;
    pub const NOT_COORDINATOR: i16 = 16;
    pub const ILLEGAL_GENERATION: i16 = 22;
    pub const UNKNOWN_MEMBER_ID: i16 = 25;
    pub const REBALANCE_IN_PROGRESS: i16 = 27;
    pub const MEMBER_ID_REQUIRED: i16 = 79;
    pub const FENCED_INSTANCE_ID: i16 = 82;
}

/// The version of `R` to use on `conn`, capped at `cap` (versions above need topic ids or
/// the multi-group format, which this client does not use).
pub fn capped<R: Request>(conn: &Connection, cap: i16) -> Result<i16> {
    Ok(conn.version::<R>()?.min(cap))
}

pub(crate) fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// Membership state shared with the heartbeat task.
#[derive(Debug)]
pub struct MemberState {
    pub member_id: String,
    pub generation: i32,
    pub coordinator: Option<i32>,
    pub needs_rejoin: bool,
    /// Set when the group moved on without us (session expired, fenced): the assignment is lost.
    pub lost: bool,
    pub last_poll: Instant,
    pub closed: bool,
    /// A JoinGroup/SyncGroup is in flight: heartbeats pause (they would queue behind it).
    pub joining: bool,
}

/// What a completed join/sync produced.
pub struct JoinOutcome {
    pub assignment: Vec<TopicPartition>,
}

/// One consumer's membership in one group.
pub struct Group {
    pub cluster: Cluster,
    pub group_id: String,
    pub instance_id: Option<String>,
    pub session_timeout: Duration,
    pub rebalance_timeout: Duration,
    pub heartbeat_interval: Duration,
    pub assignors: Vec<Box<dyn Assignor>>,
    pub state: Arc<Mutex<MemberState>>,
    connector: Arc<dyn Connector>,
    /// A coordinator connection of its own: brokers answer a connection's requests in order,
    /// so a JoinGroup held for the rebalance must not block fetches and metadata.
    dedicated: tokio::sync::Mutex<Option<(i32, Arc<Connection>)>>,
}

impl Group {
    /// A group member that has not joined yet.
    pub fn new(
        cluster: Cluster,
        group_id: String,
        assignors: Vec<Box<dyn Assignor>>,
        connector: Arc<dyn Connector>,
    ) -> Group {
        let c = cluster.config().consumer.clone();
        Group {
            cluster,
            group_id,
            instance_id: c.group_instance_id.clone(),
            session_timeout: c.session_timeout,
            rebalance_timeout: c.max_poll_interval,
            heartbeat_interval: c.heartbeat_interval,
            assignors,
            state: Arc::new(Mutex::new(MemberState {
                member_id: String::new(),
                generation: -1,
                coordinator: None,
                needs_rejoin: true,
                lost: false,
                last_poll: Instant::now(),
                closed: false,
                joining: false,
            })),
            connector,
            dedicated: tokio::sync::Mutex::new(None),
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, MemberState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Cooperative only when every configured assignor supports it (Java's rule).
    pub fn rebalance_protocol(&self) -> RebalanceProtocol {
        if !self.assignors.is_empty()
            && self
                .assignors
                .iter()
                .all(|a| a.rebalance_protocol() == RebalanceProtocol::Cooperative)
        {
            RebalanceProtocol::Cooperative
        } else {
            RebalanceProtocol::Eager
        }
    }

    fn gid(&self) -> GroupId {
        GroupId(sb(&self.group_id))
    }

    /// The dedicated connection to the group coordinator (looked up with FindCoordinator when
    /// unknown, reopened when it failed).
    pub async fn coordinator(&self, deadline: Instant) -> Result<Arc<Connection>> {
        let pooled = find_coordinator(
            &self.cluster,
            &self.group_id,
            0,
            deadline,
            Some(&self.state),
        )
        .await?;
        let node = self.lock().coordinator.unwrap_or(-1);
        let mut slot = self.dedicated.lock().await;
        if let Some((n, c)) = slot.as_ref() {
            if *n == node && !c.is_poisoned() {
                return Ok(c.clone());
            }
        }
        let conn = Arc::new(
            Connection::open(
                pooled.addr(),
                self.connector.as_ref(),
                ConnectionConfig::from_client(self.cluster.config()),
            )
            .await?,
        );
        *slot = Some((node, conn.clone()));
        Ok(conn)
    }

    /// Closes the dedicated coordinator connection.
    pub async fn close_connection(&self) {
        if let Some((_, c)) = self.dedicated.lock().await.take() {
            c.close();
        }
    }

    fn on_coordinator_error(&self, code: i16) {
        if matches!(
            code,
            code::NOT_COORDINATOR | code::COORDINATOR_NOT_AVAILABLE
        ) {
            self.lock().coordinator = None;
        }
    }

    /// Joins (or rejoins) the group with `topics`, owning `owned` (cooperative), until an
    /// assignment arrives or `deadline` passes.
    pub async fn join(
        &self,
        topics: &BTreeSet<String>,
        owned: &[TopicPartition],
        deadline: Instant,
    ) -> Result<JoinOutcome> {
        let backoff = self.cluster.config().common.retry_backoff;
        self.lock().joining = true;
        let res = self.join_loop(topics, owned, deadline, backoff).await;
        self.lock().joining = false;
        res
    }

    async fn join_loop(
        &self,
        topics: &BTreeSet<String>,
        owned: &[TopicPartition],
        deadline: Instant,
        backoff: Duration,
    ) -> Result<JoinOutcome> {
        loop {
            match self.join_once(topics, owned, deadline).await {
                Ok(o) => return Ok(o),
                Err(e) if e.code() == Some(code::MEMBER_ID_REQUIRED) => continue,
                Err(e)
                    if (e.is_retriable() || e.kind() == ErrorKind::Rebalance)
                        && Instant::now() < deadline =>
                {
                    debug!(group = %self.group_id, error = %e, "join failed; retrying");
                    if let Some(c) = e.code() {
                        self.on_coordinator_error(c);
                    }
                    if matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout) {
                        self.lock().coordinator = None;
                    }
                    tokio::time::sleep(backoff).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn join_once(
        &self,
        topics: &BTreeSet<String>,
        owned: &[TopicPartition],
        deadline: Instant,
    ) -> Result<JoinOutcome> {
        let conn = self.coordinator(deadline).await?;
        let (member_id, generation) = {
            let s = self.lock();
            (s.member_id.clone(), s.generation)
        };
        let mut protocols = Vec::new();
        for a in &self.assignors {
            let sub = Subscription {
                topics: topics.iter().cloned().collect(),
                user_data: a.subscription_user_data(generation),
                owned_partitions: owned.to_vec(),
                generation,
                rack: None,
            };
            protocols.push(
                JoinGroupRequestProtocol::default()
                    .with_name(sb(a.name()))
                    .with_metadata(protocol::encode_subscription(&sub)?),
            );
        }
        let req = JoinGroupRequest::default()
            .with_group_id(self.gid())
            .with_session_timeout_ms(self.session_timeout.as_millis() as i32)
            .with_rebalance_timeout_ms(self.rebalance_timeout.as_millis() as i32)
            .with_member_id(sb(&member_id))
            .with_group_instance_id(self.instance_id.as_deref().map(sb))
            .with_protocol_type(sb(PROTOCOL_TYPE))
            .with_protocols(protocols);
        let timeout = self.rebalance_timeout + Duration::from_secs(5);
        let resp = conn.request_with_timeout(&req, timeout).await?;
        match resp.error_code {
            0 => {}
            code::MEMBER_ID_REQUIRED => {
                self.lock().member_id = resp.member_id.to_string();
                return Err(Error::from_code(resp.error_code, "JoinGroup"));
            }
            code::UNKNOWN_MEMBER_ID | code::ILLEGAL_GENERATION => {
                let mut s = self.lock();
                s.member_id.clear();
                s.generation = -1;
                return Err(Error::from_code(resp.error_code, "JoinGroup"));
            }
            c => {
                self.on_coordinator_error(c);
                return Err(Error::from_code(
                    c,
                    format!("JoinGroup of group {}", self.group_id),
                ));
            }
        }
        let my_id = resp.member_id.to_string();
        let generation = resp.generation_id;
        let proto = resp
            .protocol_name
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default();
        {
            let mut s = self.lock();
            s.member_id = my_id.clone();
            s.generation = generation;
        }
        let assignments = if resp.leader.as_str() == my_id && !resp.skip_assignment {
            self.lead(&proto, &resp.members, deadline).await?
        } else {
            Vec::new()
        };
        let sync = SyncGroupRequest::default()
            .with_group_id(self.gid())
            .with_generation_id(generation)
            .with_member_id(sb(&my_id))
            .with_group_instance_id(self.instance_id.as_deref().map(sb))
            .with_protocol_type(Some(sb(PROTOCOL_TYPE)))
            .with_protocol_name(Some(sb(&proto)))
            .with_assignments(assignments);
        let resp = conn.request_with_timeout(&sync, timeout).await?;
        if resp.error_code != 0 {
            if matches!(
                resp.error_code,
                code::UNKNOWN_MEMBER_ID | code::ILLEGAL_GENERATION
            ) {
                let mut s = self.lock();
                s.member_id.clear();
                s.generation = -1;
            }
            self.on_coordinator_error(resp.error_code);
            return Err(Error::from_code(
                resp.error_code,
                format!("SyncGroup of group {}", self.group_id),
            ));
        }
        let assignment = protocol::decode_assignment(resp.assignment)?;
        {
            let mut s = self.lock();
            s.needs_rejoin = false;
            s.lost = false;
        }
        info!(group = %self.group_id, member = %my_id, generation, partitions = assignment.len(), "joined group");
        Ok(JoinOutcome { assignment })
    }

    /// The leader's work: decode every subscription, run the chosen assignor, encode results.
    async fn lead(
        &self,
        proto: &str,
        members: &[kafka_protocol::messages::join_group_response::JoinGroupResponseMember],
        deadline: Instant,
    ) -> Result<Vec<SyncGroupRequestAssignment>> {
        let assignor = self
            .assignors
            .iter()
            .find(|a| a.name() == proto)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "the group chose assignor {proto:?}, which this consumer did not offer"
                    ),
                )
            })?;
        let mut subs = Vec::new();
        for m in members {
            subs.push(protocol::decode_subscription(
                m.member_id.as_str(),
                m.group_instance_id.as_ref().map(|s| s.to_string()),
                m.metadata.clone(),
            )?);
        }
        let topics: BTreeSet<String> = subs.iter().flat_map(|s| s.topics.iter().cloned()).collect();
        self.cluster.add_topics(topics.iter().cloned());
        let mut ppt = BTreeMap::new();
        for t in &topics {
            if let Ok(md) = self
                .cluster
                .topic(t, deadline.min(Instant::now() + Duration::from_secs(10)))
                .await
            {
                ppt.insert(t.clone(), md.partition_count());
            }
        }
        let result = assignor.assign(&ppt, &subs);
        let mut out = Vec::new();
        for m in &subs {
            let parts = result.get(&m.member_id).cloned().unwrap_or_default();
            out.push(
                SyncGroupRequestAssignment::default()
                    .with_member_id(sb(&m.member_id))
                    .with_assignment(protocol::encode_assignment(&parts, None)?),
            );
        }
        Ok(out)
    }

    /// One heartbeat; updates the flags on the errors that mean "rejoin".
    pub async fn heartbeat(&self) -> Result<()> {
        let (member_id, generation) = {
            let s = self.lock();
            (s.member_id.clone(), s.generation)
        };
        let conn = self
            .coordinator(Instant::now() + self.heartbeat_interval.max(Duration::from_secs(1)))
            .await?;
        let req = HeartbeatRequest::default()
            .with_group_id(self.gid())
            .with_generation_id(generation)
            .with_member_id(sb(&member_id))
            .with_group_instance_id(self.instance_id.as_deref().map(sb));
        let resp = conn.request(&req).await?;
        match resp.error_code {
            0 => Ok(()),
            code::REBALANCE_IN_PROGRESS => {
                self.lock().needs_rejoin = true;
                Ok(())
            }
            c @ (code::UNKNOWN_MEMBER_ID | code::ILLEGAL_GENERATION | code::FENCED_INSTANCE_ID) => {
                let mut s = self.lock();
                s.needs_rejoin = true;
                s.lost = true;
                s.generation = -1;
                if c == code::UNKNOWN_MEMBER_ID {
                    s.member_id.clear();
                }
                Err(Error::from_code(c, "Heartbeat"))
            }
            c => {
                self.on_coordinator_error(c);
                Err(Error::from_code(c, "Heartbeat"))
            }
        }
    }

    /// Sends LeaveGroup (dynamic members only: a static member keeps its place until the
    /// session times out, so a restart within it causes no rebalance) and resets the member.
    pub async fn leave(&self, reason: &str) -> Result<()> {
        let member_id = {
            let mut s = self.lock();
            let id = std::mem::take(&mut s.member_id);
            s.generation = -1;
            s.needs_rejoin = true;
            id
        };
        if member_id.is_empty() || self.instance_id.is_some() {
            return Ok(());
        }
        let conn = self
            .coordinator(Instant::now() + Duration::from_secs(5))
            .await?;
        let req = if conn.version::<LeaveGroupRequest>()? >= 3 {
            LeaveGroupRequest::default()
                .with_group_id(self.gid())
                .with_members(vec![MemberIdentity::default()
                    .with_member_id(sb(&member_id))
                    .with_reason(Some(sb(reason)))])
        } else {
            LeaveGroupRequest::default()
                .with_group_id(self.gid())
                .with_member_id(sb(&member_id))
        };
        let resp = conn.request(&req).await?;
        if resp.error_code != 0 && resp.error_code != code::UNKNOWN_MEMBER_ID {
            return Err(Error::from_code(resp.error_code, "LeaveGroup"));
        }
        info!(group = %self.group_id, member = %member_id, reason, "left group");
        Ok(())
    }

    /// Commits offsets as the current member (generation and member id checked by the broker).
    pub async fn commit(
        &self,
        offsets: &BTreeMap<TopicPartition, OffsetAndMetadata>,
        deadline: Instant,
    ) -> Result<()> {
        let (member, generation) = {
            let s = self.lock();
            (s.member_id.clone(), s.generation)
        };
        commit_offsets(
            &self.cluster,
            &self.group_id,
            &member,
            generation,
            self.instance_id.as_deref(),
            offsets,
            deadline,
            Some(&self.state),
        )
        .await
    }
}

/// FindCoordinator for `key` (`key_type` 0 = group) with retries until `deadline`; caches the
/// node in `state` when given.
pub async fn find_coordinator(
    cluster: &Cluster,
    key: &str,
    key_type: i8,
    deadline: Instant,
    state: Option<&Arc<Mutex<MemberState>>>,
) -> Result<Arc<Connection>> {
    if let Some(node) = state.and_then(|s| s.lock().unwrap_or_else(|p| p.into_inner()).coordinator)
    {
        match cluster.broker(node).await {
            Ok(c) => return Ok(c),
            Err(_) => {
                if let Some(s) = state {
                    s.lock().unwrap_or_else(|p| p.into_inner()).coordinator = None;
                }
            }
        }
    }
    let backoff = cluster.config().common.retry_backoff;
    loop {
        let attempt: Result<i32> = async {
            let conn = cluster.any_broker().await?;
            let v = conn.version::<FindCoordinatorRequest>()?;
            let mut req = FindCoordinatorRequest::default().with_key_type(key_type);
            if v >= 4 {
                req = req.with_coordinator_keys(vec![sb(key)]);
            } else {
                req = req.with_key(sb(key));
            }
            let resp = conn.request(&req).await?;
            let (code, node) = match resp.coordinators.first() {
                Some(c) if v >= 4 => (c.error_code, c.node_id.0),
                _ => (resp.error_code, resp.node_id.0),
            };
            if code != 0 {
                return Err(Error::from_code(code, format!("FindCoordinator for {key}")));
            }
            Ok(node)
        }
        .await;
        match attempt {
            Ok(node) => {
                if !cluster.metadata().brokers.contains_key(&node) {
                    cluster.refresh().await.ok();
                }
                if let Some(s) = state {
                    s.lock().unwrap_or_else(|p| p.into_inner()).coordinator = Some(node);
                }
                return cluster.broker(node).await;
            }
            Err(e) if e.is_retriable() && Instant::now() + backoff < deadline => {
                debug!(key, error = %e, "coordinator lookup failed; retrying");
                tokio::time::sleep(backoff).await;
            }
            Err(e) => return Err(e),
        }
    }
}

fn topic_name(t: &str) -> TopicName {
    TopicName(sb(t))
}

/// OffsetCommit for `group` (generation `-1` and an empty member id for a consumer that only
/// assigns partitions, or for admin).
#[allow(clippy::too_many_arguments)]
pub async fn commit_offsets(
    cluster: &Cluster,
    group: &str,
    member_id: &str,
    generation: i32,
    instance_id: Option<&str>,
    offsets: &BTreeMap<TopicPartition, OffsetAndMetadata>,
    deadline: Instant,
    state: Option<&Arc<Mutex<MemberState>>>,
) -> Result<()> {
    if offsets.is_empty() {
        return Ok(());
    }
    let mut by_topic: BTreeMap<&str, Vec<OffsetCommitRequestPartition>> = BTreeMap::new();
    for (tp, om) in offsets {
        by_topic.entry(&tp.topic).or_default().push(
            OffsetCommitRequestPartition::default()
                .with_partition_index(tp.partition)
                .with_committed_offset(om.offset)
                .with_committed_leader_epoch(om.leader_epoch.unwrap_or(-1))
                .with_committed_metadata(Some(sb(&om.metadata))),
        );
    }
    let req = OffsetCommitRequest::default()
        .with_group_id(GroupId(sb(group)))
        .with_generation_id_or_member_epoch(generation)
        .with_member_id(sb(member_id))
        .with_group_instance_id(instance_id.map(sb))
        .with_retention_time_ms(-1)
        .with_topics(
            by_topic
                .into_iter()
                .map(|(t, ps)| {
                    OffsetCommitRequestTopic::default()
                        .with_name(topic_name(t))
                        .with_partitions(ps)
                })
                .collect(),
        );
    let backoff = cluster.config().common.retry_backoff;
    loop {
        let attempt: Result<()> = async {
            let conn = find_coordinator(cluster, group, 0, deadline, state).await?;
            let v = capped::<OffsetCommitRequest>(&conn, 8)?;
            let resp = conn.request_raw(&req, v, None).await?;
            for t in &resp.topics {
                for p in &t.partitions {
                    if p.error_code != 0 {
                        if let Some(s) = state {
                            let mut s = s.lock().unwrap_or_else(|p| p.into_inner());
                            if matches!(
                                p.error_code,
                                code::NOT_COORDINATOR | code::COORDINATOR_NOT_AVAILABLE
                            ) {
                                s.coordinator = None;
                            }
                            if matches!(
                                p.error_code,
                                code::UNKNOWN_MEMBER_ID
                                    | code::ILLEGAL_GENERATION
                                    | code::REBALANCE_IN_PROGRESS
                            ) {
                                s.needs_rejoin = true;
                            }
                        }
                        return Err(Error::from_code(
                            p.error_code,
                            format!("committing offset of {}-{}", t.name.0, p.partition_index),
                        ));
                    }
                }
            }
            Ok(())
        }
        .await;
        match attempt {
            Ok(()) => return Ok(()),
            Err(e)
                if (e.is_retriable() || e.code() == Some(code::COORDINATOR_LOAD_IN_PROGRESS))
                    && Instant::now() + backoff < deadline =>
            {
                tokio::time::sleep(backoff).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// OffsetFetch: the committed offsets of `partitions` (`None` = every partition with an
/// offset) in `group`. Partitions without a committed offset are absent.
pub async fn fetch_committed(
    cluster: &Cluster,
    group: &str,
    partitions: Option<&[TopicPartition]>,
    deadline: Instant,
    state: Option<&Arc<Mutex<MemberState>>>,
) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
    let topics = partitions.map(|ps| {
        let mut by: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
        for tp in ps {
            by.entry(&tp.topic).or_default().push(tp.partition);
        }
        by.into_iter()
            .map(|(t, p)| {
                OffsetFetchRequestTopic::default()
                    .with_name(topic_name(t))
                    .with_partition_indexes(p)
            })
            .collect::<Vec<_>>()
    });
    let req = OffsetFetchRequest::default()
        .with_group_id(GroupId(sb(group)))
        .with_topics(topics)
        .with_require_stable(true);
    let backoff = cluster.config().common.retry_backoff;
    loop {
        let attempt: Result<HashMap<TopicPartition, OffsetAndMetadata>> = async {
            let conn = find_coordinator(cluster, group, 0, deadline, state).await?;
            let v = capped::<OffsetFetchRequest>(&conn, 7)?;
            let resp = conn.request_raw(&req, v, None).await?;
            if resp.error_code != 0 {
                if let Some(s) = state {
                    if matches!(
                        resp.error_code,
                        code::NOT_COORDINATOR | code::COORDINATOR_NOT_AVAILABLE
                    ) {
                        s.lock().unwrap_or_else(|p| p.into_inner()).coordinator = None;
                    }
                }
                return Err(Error::from_code(
                    resp.error_code,
                    format!("fetching committed offsets of group {group}"),
                ));
            }
            let mut out = HashMap::new();
            for t in &resp.topics {
                for p in &t.partitions {
                    if p.error_code != 0 {
                        return Err(Error::from_code(
                            p.error_code,
                            format!("committed offset of {}-{}", t.name.0, p.partition_index),
                        ));
                    }
                    if p.committed_offset >= 0 {
                        out.insert(
                            TopicPartition::new(t.name.0.as_str(), p.partition_index),
                            OffsetAndMetadata {
                                offset: p.committed_offset,
                                metadata: p
                                    .metadata
                                    .as_ref()
                                    .map(|m| m.to_string())
                                    .unwrap_or_default(),
                                leader_epoch: (p.committed_leader_epoch >= 0)
                                    .then_some(p.committed_leader_epoch),
                            },
                        );
                    }
                }
            }
            Ok(out)
        }
        .await;
        match attempt {
            Ok(o) => return Ok(o),
            Err(e) if e.is_retriable() && Instant::now() + backoff < deadline => {
                tokio::time::sleep(backoff).await
            }
            Err(e) => return Err(e),
        }
    }
}

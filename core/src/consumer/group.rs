//! Classic consumer-group membership: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, and
//! committing offsets as a member.
//!
//! The membership-free coordinator requests live in [`super::coordinator`] (re-exported here).
//!
//! Owns the member id, generation and coordinator of one consumer, the leader's run of the
//! chosen assignor, and the flags the heartbeat task raises (rejoin needed, assignment lost).
//! It must not fetch records or call the application's rebalance listener (the consumer does).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    GroupId, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest, SyncGroupRequest,
};

use tokio::time::Instant;
use tracing::{debug, info};

use super::assignor::{Assignor, RebalanceProtocol, ReplicaRacks};
use super::record::OffsetAndMetadata;
use crate::cluster::Cluster;
use crate::connection::{Connection, Connector};
use crate::error::{Error, ErrorKind, Result};
use crate::requests::consumer_protocol::{self as protocol, Subscription, PROTOCOL_TYPE};
pub(crate) use crate::requests::coordinator::{
    commit_offsets_via, fetch_committed_via, find_coordinator, CoordinatorSlot,
};
pub(crate) use crate::requests::sb;
use crate::types::TopicPartition;

/// Error codes the group logic matches on (named from the one `ErrorCode` type; constants
/// because `match` patterns cannot call `code()`).
pub(crate) mod code {
    use ferrokafka_protocol::ErrorCode;
    pub const COORDINATOR_NOT_AVAILABLE: i16 = ErrorCode::CoordinatorNotAvailable.code();
    pub const NOT_COORDINATOR: i16 = ErrorCode::NotCoordinator.code();
    pub const ILLEGAL_GENERATION: i16 = ErrorCode::IllegalGeneration.code();
    pub const UNKNOWN_MEMBER_ID: i16 = ErrorCode::UnknownMemberId.code();
    pub const REBALANCE_IN_PROGRESS: i16 = ErrorCode::RebalanceInProgress.code();
    pub const MEMBER_ID_REQUIRED: i16 = ErrorCode::MemberIdRequired.code();
    pub const FENCED_INSTANCE_ID: i16 = ErrorCode::FencedInstanceId.code();
}

/// Membership state shared with the heartbeat task.
#[derive(Debug)]
pub struct MemberState {
    pub member_id: String,
    pub generation: i32,
    /// The member id the coordinator named leader of the last join (empty before one).
    pub leader_id: String,
    /// Heartbeats the coordinator accepted (error 0) since this member was created.
    pub heartbeats: u64,
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

impl CoordinatorSlot for Mutex<MemberState> {
    fn get(&self) -> Option<i32> {
        self.lock().unwrap_or_else(|p| p.into_inner()).coordinator
    }
    fn set(&self, node: Option<i32>) {
        self.lock().unwrap_or_else(|p| p.into_inner()).coordinator = node;
    }
    fn rejoin_needed(&self) {
        self.lock().unwrap_or_else(|p| p.into_inner()).needs_rejoin = true;
    }
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
                leader_id: String::new(),
                heartbeats: 0,
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
                self.cluster.connection_config(),
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
        // Cleared on drop too, so an aborted join (close) does not leave heartbeats paused.
        let _joining = JoiningGuard(self);
        self.join_loop(topics, owned, deadline, backoff).await
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
        // `client.rack`, as Java sends it, for rack-aware assignors on whichever member leads.
        let rack = Some(self.cluster.config().common.client_rack.clone()).filter(|r| !r.is_empty());
        let mut protocols = Vec::new();
        for a in &self.assignors {
            let sub = Subscription {
                topics: topics.iter().cloned().collect(),
                user_data: a.subscription_user_data(generation),
                owned_partitions: owned.to_vec(),
                generation,
                rack: rack.clone(),
            };
            protocols.push(
                JoinGroupRequestProtocol::default()
                    .with_name(sb(a.name()))
                    .with_metadata(protocol::encode_subscription(&sub, a.protocol_version())?),
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
            s.leader_id = resp.leader.to_string();
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
        let mut replica_racks = ReplicaRacks::new();
        for t in &topics {
            if let Ok(md) = self
                .cluster
                .topic(t, deadline.min(Instant::now() + Duration::from_secs(10)))
                .await
            {
                ppt.insert(t.clone(), md.partition_count());
                // Racks of each partition's replicas, for rack-aware assignment (KIP-881).
                let brokers = &self.cluster.metadata().brokers;
                for p in &md.partitions {
                    let racks: Vec<String> = p
                        .replicas
                        .iter()
                        .filter_map(|id| brokers.get(id).and_then(|b| b.rack.clone()))
                        .collect();
                    if !racks.is_empty() {
                        replica_racks.insert(TopicPartition::new(t.as_str(), p.partition), racks);
                    }
                }
            }
        }
        let result = assignor.assign_with_racks(&ppt, &replica_racks, &subs);
        let mut out = Vec::new();
        for m in &subs {
            let parts = result.get(&m.member_id).cloned().unwrap_or_default();
            out.push(
                SyncGroupRequestAssignment::default()
                    .with_member_id(sb(&m.member_id))
                    .with_assignment(protocol::encode_assignment(
                        &parts,
                        assignor.assignment_user_data(),
                        assignor.protocol_version(),
                    )?),
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
            0 => {
                self.lock().heartbeats += 1;
                Ok(())
            }
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
        let member_id = self.forget_member();
        self.send_leave(member_id, reason, false).await
    }

    /// Resets the member at once (no heartbeat or commit uses it after this) and returns the
    /// member id a LeaveGroup must name ("" when there was none).
    pub fn forget_member(&self) -> String {
        let mut s = self.lock();
        let id = std::mem::take(&mut s.member_id);
        s.generation = -1;
        s.needs_rejoin = true;
        id
    }

    /// LeaveGroup for a member already forgotten (see [`Group::forget_member`]). A static
    /// member leaves only when `include_static` (Java's `CloseOptions` LEAVE_GROUP), naming its
    /// instance id (LeaveGroup v3+).
    pub async fn send_leave(
        &self,
        member_id: String,
        reason: &str,
        include_static: bool,
    ) -> Result<()> {
        if member_id.is_empty() || (self.instance_id.is_some() && !include_static) {
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
                    .with_group_instance_id(self.instance_id.as_deref().map(sb))
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
    /// Fails fast with REBALANCE_IN_PROGRESS while a JoinGroup/SyncGroup is in flight, as Java
    /// does: the generation is changing, and the next poll completes the rebalance.
    pub async fn commit(
        &self,
        offsets: &BTreeMap<TopicPartition, OffsetAndMetadata>,
        deadline: Instant,
    ) -> Result<()> {
        let (member, generation) = {
            let s = self.lock();
            if s.joining && !offsets.is_empty() {
                return Err(Error::from_code(
                    code::REBALANCE_IN_PROGRESS,
                    format!(
                        "committing offsets of group {} during a rebalance; poll to complete it, then commit again",
                        self.group_id
                    ),
                ));
            }
            (s.member_id.clone(), s.generation)
        };
        commit_offsets_via(
            &self.cluster,
            |d| self.coordinator(d),
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

/// Clears [`MemberState::joining`] when a join ends, however it ends.
struct JoiningGuard<'a>(&'a Group);

impl Drop for JoiningGuard<'_> {
    fn drop(&mut self) {
        self.0.lock().joining = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientConfig;
    use crate::connection::TcpConnector;

    fn group() -> Group {
        let cfg = ClientConfig::from_pairs([("bootstrap.servers", "127.0.0.1:1")]).unwrap();
        let connector: Arc<dyn Connector> = Arc::new(TcpConnector);
        let cluster = Cluster::new(cfg, connector.clone(), false).unwrap();
        Group::new(cluster, "g".into(), Vec::new(), connector)
    }

    #[tokio::test]
    async fn commit_during_a_join_fails_fast_with_rebalance_in_progress() {
        let g = group();
        g.lock().joining = true;
        let offsets = BTreeMap::from([(TopicPartition::new("t", 0), OffsetAndMetadata::new(5))]);
        let far = Instant::now() + Duration::from_secs(3600);
        let e = g.commit(&offsets, far).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Rebalance, "{e}");
        assert_eq!(e.code(), Some(code::REBALANCE_IN_PROGRESS));
        // Nothing to commit is not an error, joining or not.
        g.commit(&BTreeMap::new(), far).await.unwrap();
    }

    #[tokio::test]
    async fn an_aborted_join_resumes_heartbeats() {
        let g = Arc::new(group());
        let j = g.clone();
        let task = tokio::spawn(async move {
            j.join(
                &BTreeSet::from(["t".to_string()]),
                &[],
                Instant::now() + Duration::from_secs(3600),
            )
            .await
        });
        while !g.lock().joining && !task.is_finished() {
            tokio::task::yield_now().await;
        }
        task.abort();
        let _ = task.await;
        assert!(
            !g.lock().joining,
            "the joining flag is cleared when the join is dropped"
        );
    }
}

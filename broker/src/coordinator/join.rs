//! JoinGroup: validation, new/pending/static/existing member handling as Kafka's classic
//! coordinator does. The call parks on a oneshot channel until the join phase completes; the
//! group lock is released before awaiting.

use bytes::Bytes;
use ferrokafka_protocol::ErrorCode;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::group::{Group, GroupState, Member};
use super::store::Record;
use super::types::{JoinOutcome, JoinRequest, SyncOutcome};
use super::{lock_group, ms, GroupCoordinator, GroupRef};

enum Step {
    Done(JoinOutcome),
    Wait(oneshot::Receiver<JoinOutcome>),
}

impl GroupCoordinator {
    /// JoinGroup; the request's client (header client id and peer host) is recorded for
    /// DescribeGroups and used as the member id prefix, as Kafka does.
    pub async fn join_group(&self, req: JoinRequest) -> JoinOutcome {
        self.ensure_started();
        if self.is_shut_down() {
            return JoinOutcome::error(ErrorCode::CoordinatorNotAvailable, &req.member_id);
        }
        if req.group_id.is_empty() {
            return JoinOutcome::error(ErrorCode::InvalidGroupId, &req.member_id);
        }
        let cfg = self.config();
        if req.session_timeout_ms < cfg.group_min_session_timeout_ms
            || req.session_timeout_ms > cfg.group_max_session_timeout_ms
        {
            return JoinOutcome::error(ErrorCode::InvalidSessionTimeout, &req.member_id);
        }
        let group_id = req.group_id.clone();
        let arc = if req.member_id.is_empty() {
            let mut arc = self.find_or_create_group(&group_id).0;
            // An empty group removed by housekeeping a moment ago: create it again.
            for _ in 0..3 {
                if !lock_group(&arc).is(GroupState::Dead) {
                    break;
                }
                arc = self.find_or_create_group(&group_id).0;
            }
            arc
        } else {
            match self.find_group(&group_id) {
                Some(g) => g,
                None => return JoinOutcome::error(ErrorCode::UnknownMemberId, &req.member_id),
            }
        };
        let step = {
            let mut g = lock_group(&arc);
            self.join_locked(&arc, &mut g, req)
        };
        match step {
            Step::Done(o) => o,
            Step::Wait(rx) => rx
                .await
                .unwrap_or_else(|_| JoinOutcome::error(ErrorCode::CoordinatorNotAvailable, "")),
        }
    }

    fn accept_joining_member(&self, g: &Group, member_id: &str) -> bool {
        let max = usize::try_from(self.config().group_max_size).unwrap_or(0);
        match g.state {
            GroupState::Empty | GroupState::Dead => true,
            GroupState::PreparingRebalance => {
                g.members
                    .get(member_id)
                    .is_some_and(|m| m.awaiting_join.is_some())
                    || g.awaiting_join_count() < max
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                g.members.contains_key(member_id) || g.members.len() < max
            }
        }
    }

    fn join_locked(&self, arc: &GroupRef, g: &mut Group, p: JoinRequest) -> Step {
        if !self.accept_joining_member(g, &p.member_id) {
            g.pending_members.remove(&p.member_id);
            if g.members.contains_key(&p.member_id) {
                g.remove_member(&p.member_id);
            }
            return Step::Done(JoinOutcome::error(ErrorCode::GroupMaxSizeReached, ""));
        }
        let names: Vec<&str> = p.protocols.iter().map(|(n, _)| n.as_str()).collect();
        if g.is(GroupState::Dead) {
            return Step::Done(JoinOutcome::error(
                ErrorCode::CoordinatorNotAvailable,
                &p.member_id,
            ));
        }
        if !g.supports_protocols(&p.protocol_type, &names) {
            return Step::Done(JoinOutcome::error(
                ErrorCode::InconsistentGroupProtocol,
                &p.member_id,
            ));
        }
        if p.member_id.is_empty() {
            let prefix = p.instance_id.as_deref().unwrap_or(&p.client.client_id);
            let new_id = format!("{prefix}-{}", uuid::Uuid::new_v4());
            if let Some(iid) = p.instance_id.clone() {
                if let Some(old_id) = g.static_members.get(&iid).cloned() {
                    return self.replace_static_member(arc, g, &old_id, new_id, p);
                }
                return self.add_member_and_rebalance(arc, g, new_id, p);
            }
            if p.require_known_member_id {
                // KIP-394: hand out the id and make the client come back with it.
                let inc = self.next_seq();
                let deadline = Instant::now() + ms(p.session_timeout_ms);
                g.pending_members.insert(new_id.clone(), (deadline, inc));
                self.spawn_member_timer(arc, new_id.clone(), inc);
                return Step::Done(JoinOutcome::error(ErrorCode::MemberIdRequired, &new_id));
            }
            return self.add_member_and_rebalance(arc, g, new_id, p);
        }
        if g.pending_members.contains_key(&p.member_id) {
            let id = p.member_id.clone();
            return self.add_member_and_rebalance(arc, g, id, p);
        }
        if let Err(e) = g.validate_member(&p.member_id, p.instance_id.as_deref()) {
            return Step::Done(JoinOutcome::error(e, &p.member_id));
        }
        let leader = g.is_leader(&p.member_id);
        let matches = g
            .members
            .get(&p.member_id)
            .is_some_and(|m| m.matches(&p.protocols));
        match g.state {
            GroupState::PreparingRebalance => self.update_member_and_rebalance(arc, g, p),
            GroupState::CompletingRebalance if matches => {
                Step::Done(current_generation(g, &p.member_id, leader))
            }
            GroupState::Stable if !leader && matches => {
                Step::Done(current_generation(g, &p.member_id, false))
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                self.update_member_and_rebalance(arc, g, p)
            }
            GroupState::Empty | GroupState::Dead => {
                Step::Done(JoinOutcome::error(ErrorCode::UnknownMemberId, &p.member_id))
            }
        }
    }

    fn add_member_and_rebalance(
        &self,
        arc: &GroupRef,
        g: &mut Group,
        member_id: String,
        p: JoinRequest,
    ) -> Step {
        let (tx, rx) = oneshot::channel();
        let inc = self.next_seq();
        g.pending_members.remove(&member_id);
        g.add_member(Member {
            id: member_id.clone(),
            instance_id: p.instance_id,
            client_id: p.client.client_id,
            client_host: p.client.client_host,
            rebalance_timeout_ms: p.rebalance_timeout_ms,
            session_timeout_ms: p.session_timeout_ms,
            protocol_type: p.protocol_type,
            protocols: p.protocols,
            assignment: Bytes::new(),
            awaiting_join: Some(tx),
            awaiting_sync: None,
            is_new: true,
            heartbeat_deadline: self.new_member_deadline(),
            incarnation: inc,
        });
        if g.is(GroupState::PreparingRebalance) && g.previous_state == GroupState::Empty {
            g.new_member_added = true;
        }
        self.spawn_member_timer(arc, member_id.clone(), inc);
        self.maybe_prepare_rebalance_or_complete_join(
            arc,
            g,
            &format!("adding new member {member_id}"),
        );
        Step::Wait(rx)
    }

    fn update_member_and_rebalance(&self, arc: &GroupRef, g: &mut Group, p: JoinRequest) -> Step {
        let (tx, rx) = oneshot::channel();
        if let Some(m) = g.members.get_mut(&p.member_id) {
            m.protocols = p.protocols;
            m.rebalance_timeout_ms = p.rebalance_timeout_ms;
            m.session_timeout_ms = p.session_timeout_ms;
            m.awaiting_join = Some(tx);
        }
        self.maybe_prepare_rebalance_or_complete_join(
            arc,
            g,
            &format!("member {} rejoined", p.member_id),
        );
        Step::Wait(rx)
    }

    /// KIP-345: a static member rejoining with an unknown member id takes over the old id.
    fn replace_static_member(
        &self,
        arc: &GroupRef,
        g: &mut Group,
        old_id: &str,
        new_id: String,
        p: JoinRequest,
    ) -> Step {
        let Some(mut old) = g.members.shift_remove(old_id) else {
            return Step::Done(JoinOutcome::error(ErrorCode::UnknownMemberId, ""));
        };
        let fenced = ErrorCode::FencedInstanceId;
        if let Some(tx) = old.awaiting_join.take() {
            let _ = tx.send(JoinOutcome::error(fenced, old_id));
        }
        if let Some(tx) = old.awaiting_sync.take() {
            let _ = tx.send(SyncOutcome::error(fenced));
        }
        let old_leader = g.leader.clone().unwrap_or_default();
        if g.is_leader(old_id) {
            g.leader = Some(new_id.clone());
        }
        if g.pending_sync.remove(old_id) {
            g.pending_sync.insert(new_id.clone());
        }
        let (tx, rx) = oneshot::channel();
        let inc = self.next_seq();
        let protocols_changed = old.protocols != p.protocols;
        let member = Member {
            id: new_id.clone(),
            instance_id: old.instance_id.clone(),
            client_id: p.client.client_id,
            client_host: p.client.client_host,
            rebalance_timeout_ms: p.rebalance_timeout_ms,
            session_timeout_ms: p.session_timeout_ms,
            protocol_type: p.protocol_type,
            protocols: p.protocols,
            assignment: old.assignment.clone(),
            awaiting_join: Some(tx),
            awaiting_sync: None,
            is_new: false,
            heartbeat_deadline: Instant::now() + ms(p.session_timeout_ms),
            incarnation: inc,
        };
        if let Some(iid) = &member.instance_id {
            g.static_members.insert(iid.clone(), new_id.clone());
        }
        g.members.insert(new_id.clone(), member);
        self.spawn_member_timer(arc, new_id.clone(), inc);
        let reason = format!("static member {new_id} replaced {old_id}");
        match g.state {
            GroupState::Stable => {
                let unchanged = !protocols_changed || g.select_protocol() == g.protocol_name;
                if !unchanged {
                    self.maybe_prepare_rebalance_or_complete_join(arc, g, &reason);
                    return Step::Wait(rx);
                }
                let mut outcome = if p.leader_may_skip_assignment {
                    let leader = g.is_leader(&new_id);
                    let mut o = current_generation(g, &new_id, leader);
                    o.skip_assignment = leader;
                    o
                } else {
                    let mut o = current_generation(g, &new_id, false);
                    o.leader = old_leader;
                    o
                };
                if let Err(e) = self.persist(&g.id, &Record::Group(g.to_record())) {
                    outcome = JoinOutcome::error(e.error_code(), "");
                }
                if let Some(m) = g.members.get_mut(&new_id) {
                    m.awaiting_join = None;
                }
                Step::Done(outcome)
            }
            GroupState::CompletingRebalance => {
                self.prepare_rebalance(arc, g, &reason);
                Step::Wait(rx)
            }
            _ => {
                self.maybe_complete_join_phase(arc, g);
                Step::Wait(rx)
            }
        }
    }
}

/// The answer for a member whose join does not change the current generation.
fn current_generation(g: &Group, member_id: &str, with_members: bool) -> JoinOutcome {
    JoinOutcome {
        error: None,
        generation: g.generation,
        protocol_type: g.protocol_type.clone(),
        protocol_name: g.protocol_name.clone(),
        leader: g.leader.clone().unwrap_or_default(),
        skip_assignment: false,
        member_id: member_id.to_string(),
        members: if with_members {
            g.member_list()
        } else {
            Vec::new()
        },
    }
}

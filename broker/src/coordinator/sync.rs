//! SyncGroup: the leader's assignment is stored (durably) and handed to every member; followers
//! that sync before the leader park on a oneshot channel. Errors as Kafka's classic coordinator.

use std::collections::HashMap;

use bytes::Bytes;
use ferrokafka_protocol::ErrorCode;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::group::{Group, GroupState};
use super::rebalance::{propagate_assignment, reset_and_propagate_assignment_error};
use super::store::Record;
use super::types::{SyncOutcome, SyncRequest};
use super::{lock_group, ms, now_ms, GroupCoordinator, GroupRef};

enum Step {
    Done(SyncOutcome),
    Wait(oneshot::Receiver<SyncOutcome>),
}

fn err(e: ErrorCode) -> SyncOutcome {
    SyncOutcome::error(e)
}

/// A protocol type/name the member sent that contradicts the group's.
fn inconsistent(requested: Option<&str>, current: Option<&str>) -> bool {
    matches!((requested, current), (Some(r), Some(c)) if r != c)
}

impl GroupCoordinator {
    /// SyncGroup.
    pub async fn sync_group(&self, req: SyncRequest) -> SyncOutcome {
        self.ensure_started();
        if self.is_shut_down() {
            return err(ErrorCode::CoordinatorNotAvailable);
        }
        if req.group_id.is_empty() {
            return err(ErrorCode::InvalidGroupId);
        }
        let Some(arc) = self.find_group(&req.group_id) else {
            return err(ErrorCode::UnknownMemberId);
        };
        let step = {
            let mut g = lock_group(&arc);
            self.sync_locked(&arc, &mut g, &req)
        };
        match step {
            Step::Done(o) => o,
            Step::Wait(rx) => rx
                .await
                .unwrap_or_else(|_| err(ErrorCode::CoordinatorNotAvailable)),
        }
    }

    fn sync_locked(&self, arc: &GroupRef, g: &mut Group, req: &SyncRequest) -> Step {
        let member_id = req.member_id.as_str();
        let instance_id = req.instance_id.as_deref();
        if g.is(GroupState::Dead) {
            return Step::Done(err(ErrorCode::CoordinatorNotAvailable));
        }
        if let Err(e) = g.validate_member(member_id, instance_id) {
            return Step::Done(err(e));
        }
        if req.generation_id != g.generation {
            return Step::Done(err(ErrorCode::IllegalGeneration));
        }
        if inconsistent(req.protocol_type.as_deref(), g.protocol_type.as_deref())
            || inconsistent(req.protocol_name.as_deref(), g.protocol_name.as_deref())
        {
            return Step::Done(err(ErrorCode::InconsistentGroupProtocol));
        }
        match g.state {
            GroupState::Empty | GroupState::Dead => Step::Done(err(ErrorCode::UnknownMemberId)),
            GroupState::PreparingRebalance => Step::Done(err(ErrorCode::RebalanceInProgress)),
            GroupState::CompletingRebalance => {
                let (tx, rx) = oneshot::channel();
                if let Some(m) = g.members.get_mut(member_id) {
                    m.awaiting_sync = Some(tx);
                    m.heartbeat_deadline = Instant::now() + ms(m.session_timeout_ms);
                }
                self.synced(g, member_id);
                if g.is_leader(member_id) {
                    self.apply_leader_assignment(arc, g, req);
                }
                Step::Wait(rx)
            }
            GroupState::Stable => {
                self.synced(g, member_id);
                let Some(m) = g.members.get_mut(member_id) else {
                    return Step::Done(err(ErrorCode::UnknownMemberId));
                };
                m.heartbeat_deadline = Instant::now() + ms(m.session_timeout_ms);
                let assignment = m.assignment.clone();
                Step::Done(SyncOutcome {
                    error: None,
                    protocol_type: g.protocol_type.clone(),
                    protocol_name: g.protocol_name.clone(),
                    assignment,
                })
            }
        }
    }

    fn synced(&self, g: &mut Group, member_id: &str) {
        g.pending_sync.remove(member_id);
        if g.pending_sync.is_empty() {
            g.sync_timer = 0;
        }
    }

    /// The leader's SyncGroup: persist the assignment, then deliver it and become Stable.
    fn apply_leader_assignment(&self, arc: &GroupRef, g: &mut Group, req: &SyncRequest) {
        let mut given: HashMap<&str, Bytes> = HashMap::new();
        for (member_id, assignment) in &req.assignments {
            given.insert(member_id.as_str(), assignment.clone());
        }
        for m in g.members.values_mut() {
            m.assignment = given.get(m.id.as_str()).cloned().unwrap_or_default();
        }
        match self.persist(&g.id, &Record::Group(g.to_record())) {
            Ok(()) => {
                propagate_assignment(g);
                g.transition(GroupState::Stable, now_ms());
            }
            Err(e) => {
                reset_and_propagate_assignment_error(g, e.error_code());
                self.prepare_rebalance(arc, g, "storing the group assignment failed");
            }
        }
    }
}

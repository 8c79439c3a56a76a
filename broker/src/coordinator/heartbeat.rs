//! Heartbeat: keeps a member's session alive and tells it when a rebalance is under way.

use ferrokafka_protocol::ErrorCode;
use tokio::time::Instant;

use super::group::GroupState;
use super::types::Heartbeat;
use super::{lock_group, ms, GroupCoordinator};

impl GroupCoordinator {
    /// Heartbeat.
    pub async fn heartbeat(&self, req: Heartbeat) -> Result<(), ErrorCode> {
        self.ensure_started();
        self.heartbeat_error(&req)
    }

    fn heartbeat_error(&self, req: &Heartbeat) -> Result<(), ErrorCode> {
        if self.is_shut_down() {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        if req.group_id.is_empty() {
            return Err(ErrorCode::InvalidGroupId);
        }
        let arc = self
            .find_group(&req.group_id)
            .ok_or(ErrorCode::UnknownMemberId)?;
        let mut g = lock_group(&arc);
        if g.is(GroupState::Dead) {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        g.validate_member(&req.member_id, req.instance_id.as_deref())?;
        if req.generation_id != g.generation {
            return Err(ErrorCode::IllegalGeneration);
        }
        let state = g.state;
        if state == GroupState::Empty {
            return Err(ErrorCode::UnknownMemberId);
        }
        if let Some(m) = g.members.get_mut(req.member_id.as_str()) {
            m.heartbeat_deadline = Instant::now() + ms(m.session_timeout_ms);
        }
        match state {
            GroupState::PreparingRebalance => Err(ErrorCode::RebalanceInProgress),
            _ => Ok(()),
        }
    }
}

//! Heartbeat: keeps a member's session alive and tells it when a rebalance is under way.

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::{HeartbeatRequest, HeartbeatResponse};
use tokio::time::Instant;

use super::group::GroupState;
use super::{lock_group, ms, GroupCoordinator};

impl GroupCoordinator {
    /// Heartbeat.
    pub async fn heartbeat(&self, req: HeartbeatRequest, version: i16) -> HeartbeatResponse {
        self.ensure_started();
        let mut r = HeartbeatResponse::default();
        r.error_code = match self.heartbeat_error(&req, version) {
            Ok(()) => 0,
            Err(e) => e.code(),
        };
        r
    }

    fn heartbeat_error(&self, req: &HeartbeatRequest, version: i16) -> Result<(), ResponseError> {
        if self.is_shut_down() {
            return Err(ResponseError::CoordinatorNotAvailable);
        }
        if req.group_id.0.is_empty() {
            return Err(ResponseError::InvalidGroupId);
        }
        let arc = self
            .find_group(&req.group_id.0)
            .ok_or(ResponseError::UnknownMemberId)?;
        let mut g = lock_group(&arc);
        if g.is(GroupState::Dead) {
            return Err(ResponseError::CoordinatorNotAvailable);
        }
        let instance_id = if version >= 3 {
            req.group_instance_id.as_deref()
        } else {
            None
        };
        g.validate_member(&req.member_id, instance_id)?;
        if req.generation_id != g.generation {
            return Err(ResponseError::IllegalGeneration);
        }
        let state = g.state;
        if state == GroupState::Empty {
            return Err(ResponseError::UnknownMemberId);
        }
        if let Some(m) = g.members.get_mut(req.member_id.as_str()) {
            m.heartbeat_deadline = Instant::now() + ms(m.session_timeout_ms);
        }
        match state {
            GroupState::PreparingRebalance => Err(ResponseError::RebalanceInProgress),
            _ => Ok(()),
        }
    }
}

//! LeaveGroup: a batch of members (by member id or group.instance.id) leaves, with a
//! per-member error (the handler maps v0-v2's single member onto a batch of one). Leaving triggers a rebalance (or completes a pending join phase).

use ferrokafka_protocol::ErrorCode;

use super::group::{Group, GroupState};
use super::types::{LeaveOutcome, LeavingMember};
use super::{lock_group, GroupCoordinator, GroupRef};

impl GroupCoordinator {
    /// LeaveGroup: the listed members leave `group_id`.
    pub async fn leave_group(&self, group_id: &str, leaving: &[LeavingMember]) -> LeaveOutcome {
        self.ensure_started();
        let (error, members) = self.leave_errors(group_id, leaving);
        LeaveOutcome { error, members }
    }

    /// Returns the top-level error, or the per-member errors (`None` = left).
    fn leave_errors(
        &self,
        group_id: &str,
        leaving: &[LeavingMember],
    ) -> (Option<ErrorCode>, Vec<Option<ErrorCode>>) {
        if self.is_shut_down() {
            return (Some(ErrorCode::CoordinatorNotAvailable), Vec::new());
        }
        if group_id.is_empty() {
            return (Some(ErrorCode::InvalidGroupId), Vec::new());
        }
        let Some(arc) = self.find_group(group_id) else {
            return (
                None,
                leaving
                    .iter()
                    .map(|_| Some(ErrorCode::UnknownMemberId))
                    .collect(),
            );
        };
        let mut g = lock_group(&arc);
        if g.is(GroupState::Dead) {
            return (Some(ErrorCode::CoordinatorNotAvailable), Vec::new());
        }
        let errors = leaving
            .iter()
            .map(|l| self.leave_one(&arc, &mut g, l).err())
            .collect();
        (None, errors)
    }

    fn leave_one(&self, arc: &GroupRef, g: &mut Group, l: &LeavingMember) -> Result<(), ErrorCode> {
        let member_id = match &l.instance_id {
            Some(iid) => {
                let existing = g
                    .static_members
                    .get(iid)
                    .cloned()
                    .ok_or(ErrorCode::UnknownMemberId)?;
                if !l.member_id.is_empty() && l.member_id != existing {
                    return Err(ErrorCode::FencedInstanceId);
                }
                existing
            }
            None => {
                if g.pending_members.remove(&l.member_id).is_some() {
                    if g.is(GroupState::PreparingRebalance) && g.has_all_members_joined() {
                        self.complete_join(arc, g);
                    }
                    return Ok(());
                }
                if !g.members.contains_key(&l.member_id) {
                    return Err(ErrorCode::UnknownMemberId);
                }
                l.member_id.clone()
            }
        };
        tracing::info!(group = %g.id, member_id, "member left the group");
        self.remove_member_and_update(arc, g, &member_id, "member left");
        Ok(())
    }
}

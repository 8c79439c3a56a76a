//! LeaveGroup: v0-v2 one member by id, v3+ a batch by member id or group.instance.id, with a
//! per-member error. Leaving triggers a rebalance (or completes a pending join phase).

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::{LeaveGroupRequest, LeaveGroupResponse};
use kafka_protocol::protocol::StrBytes;

use super::group::{Group, GroupState};
use super::{lock_group, GroupCoordinator, GroupRef};

struct Leaving {
    member_id: String,
    instance_id: Option<String>,
}

impl GroupCoordinator {
    /// LeaveGroup.
    pub async fn leave_group(&self, req: LeaveGroupRequest, version: i16) -> LeaveGroupResponse {
        self.ensure_started();
        let leaving: Vec<Leaving> = if version >= 3 {
            req.members
                .iter()
                .map(|m| Leaving {
                    member_id: m.member_id.to_string(),
                    instance_id: m.group_instance_id.as_ref().map(|s| s.to_string()),
                })
                .collect()
        } else {
            vec![Leaving {
                member_id: req.member_id.to_string(),
                instance_id: None,
            }]
        };
        let (top, errors) = self.leave_errors(&req.group_id.0, &leaving);
        let mut r = LeaveGroupResponse::default();
        if version >= 3 {
            r.error_code = top.map(|e| e.code()).unwrap_or(0);
            if top.is_none() {
                r.members = leaving
                    .into_iter()
                    .zip(errors)
                    .map(|(l, e)| {
                        let mut m = MemberResponse::default();
                        m.member_id = StrBytes::from_string(l.member_id);
                        m.group_instance_id = l.instance_id.map(StrBytes::from_string);
                        m.error_code = e.map(|e| e.code()).unwrap_or(0);
                        m
                    })
                    .collect();
            }
        } else {
            let member_err = errors.first().copied().flatten();
            r.error_code = top.or(member_err).map(|e| e.code()).unwrap_or(0);
        }
        r
    }

    /// Returns the top-level error, or the per-member errors (`None` = left).
    fn leave_errors(
        &self,
        group_id: &str,
        leaving: &[Leaving],
    ) -> (Option<ResponseError>, Vec<Option<ResponseError>>) {
        if self.is_shut_down() {
            return (Some(ResponseError::CoordinatorNotAvailable), Vec::new());
        }
        if group_id.is_empty() {
            return (Some(ResponseError::InvalidGroupId), Vec::new());
        }
        let Some(arc) = self.find_group(group_id) else {
            return (
                None,
                leaving
                    .iter()
                    .map(|_| Some(ResponseError::UnknownMemberId))
                    .collect(),
            );
        };
        let mut g = lock_group(&arc);
        if g.is(GroupState::Dead) {
            return (Some(ResponseError::CoordinatorNotAvailable), Vec::new());
        }
        let errors = leaving
            .iter()
            .map(|l| self.leave_one(&arc, &mut g, l).err())
            .collect();
        (None, errors)
    }

    fn leave_one(&self, arc: &GroupRef, g: &mut Group, l: &Leaving) -> Result<(), ResponseError> {
        let member_id = match &l.instance_id {
            Some(iid) => {
                let existing = g
                    .static_members
                    .get(iid)
                    .cloned()
                    .ok_or(ResponseError::UnknownMemberId)?;
                if !l.member_id.is_empty() && l.member_id != existing {
                    return Err(ResponseError::FencedInstanceId);
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
                    return Err(ResponseError::UnknownMemberId);
                }
                l.member_id.clone()
            }
        };
        tracing::info!(group = %g.id, member_id, "member left the group");
        self.remove_member_and_update(arc, g, &member_id, "member left");
        Ok(())
    }
}

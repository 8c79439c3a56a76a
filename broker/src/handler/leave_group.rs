//! LeaveGroup: members leave (one, or a batch from v3 on) and the group rebalances.
//! The group state lives in `coordinator/`; this file turns the request into the list of
//! [`LeavingMember`]s and the outcome into the versioned response.

use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::{LeaveGroupRequest, LeaveGroupResponse};
use kafka_protocol::protocol::StrBytes;

use crate::context::RequestContext;
use crate::coordinator::{LeaveOutcome, LeavingMember};
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: LeaveGroupRequest,
) -> LeaveGroupResponse {
    let version = ctx.api_version;
    let group = req.group_id.0.to_string();
    let leaving = leaving(req, version);
    let outcome = state.groups.leave_group(&group, &leaving).await;
    response(leaving, outcome, version)
}

/// The members a LeaveGroup request of `version` names: v0-v2 one by member id, v3+ a batch.
pub(crate) fn leaving(req: LeaveGroupRequest, version: i16) -> Vec<LeavingMember> {
    if version >= 3 {
        req.members
            .into_iter()
            .map(|m| LeavingMember {
                member_id: m.member_id.to_string(),
                instance_id: m.group_instance_id.map(|s| s.to_string()),
            })
            .collect()
    } else {
        vec![LeavingMember {
            member_id: req.member_id.to_string(),
            instance_id: None,
        }]
    }
}

/// The LeaveGroup response of `version`: v3+ has per-member results, v0-v2 only the group's
/// (or the one member's) error.
pub(crate) fn response(
    leaving: Vec<LeavingMember>,
    o: LeaveOutcome,
    version: i16,
) -> LeaveGroupResponse {
    let mut r = LeaveGroupResponse::default();
    if version >= 3 {
        r.error_code = o.error.map_or(0, |e| e.code());
        if o.error.is_none() {
            r.members = leaving
                .into_iter()
                .zip(o.members)
                .map(|(l, e)| {
                    let mut m = MemberResponse::default();
                    m.member_id = StrBytes::from_string(l.member_id);
                    m.group_instance_id = l.instance_id.map(StrBytes::from_string);
                    m.error_code = e.map_or(0, |e| e.code());
                    m
                })
                .collect();
        }
    } else {
        let member_err = o.members.first().copied().flatten();
        r.error_code = o.error.or(member_err).map_or(0, |e| e.code());
    }
    r
}

//! SyncGroup: the leader hands out the assignment; followers wait for it.
//! The group state lives in `coordinator/`; this file turns the request into a
//! [`SyncRequest`] and the outcome into the versioned response.

use kafka_protocol::messages::{SyncGroupRequest, SyncGroupResponse};
use kafka_protocol::protocol::StrBytes;

use crate::context::RequestContext;
use crate::coordinator::{SyncOutcome, SyncRequest};
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: SyncGroupRequest,
) -> SyncGroupResponse {
    let (group, member, generation) = (
        req.group_id.0.clone(),
        req.member_id.clone(),
        req.generation_id,
    );
    let leader = !req.assignments.is_empty();
    tracing::debug!(conn = ctx.connection.connection_id, correlation_id = ctx.correlation_id, %group, %member, generation, leader, "SyncGroup received (a follower waits for the leader)");
    let version = ctx.api_version;
    let outcome = state.groups.sync_group(request(req, version)).await;
    let r = response(outcome, version);
    tracing::debug!(
        conn = ctx.connection.connection_id,
        correlation_id = ctx.correlation_id,
        %group,
        %member,
        generation,
        error = r.error_code,
        assignment_bytes = r.assignment.len(),
        "SyncGroup answered"
    );
    r
}

/// The coordinator's input for a SyncGroup request of `version`.
pub(crate) fn request(req: SyncGroupRequest, version: i16) -> SyncRequest {
    // group.instance.id exists from v3 on, the protocol type/name check from v5 on.
    let (protocol_type, protocol_name) = if version >= 5 {
        (
            req.protocol_type.map(|s| s.to_string()),
            req.protocol_name.map(|s| s.to_string()),
        )
    } else {
        (None, None)
    };
    SyncRequest {
        group_id: req.group_id.0.to_string(),
        member_id: req.member_id.to_string(),
        generation_id: req.generation_id,
        instance_id: if version >= 3 {
            req.group_instance_id.map(|s| s.to_string())
        } else {
            None
        },
        protocol_type,
        protocol_name,
        assignments: req
            .assignments
            .into_iter()
            .map(|a| (a.member_id.to_string(), a.assignment))
            .collect(),
    }
}

/// The SyncGroup response of `version` for `o`.
pub(crate) fn response(o: SyncOutcome, version: i16) -> SyncGroupResponse {
    let mut r = SyncGroupResponse::default();
    r.error_code = o.error.map_or(0, |e| e.code());
    if version >= 5 {
        r.protocol_type = o.protocol_type.map(StrBytes::from_string);
        r.protocol_name = o.protocol_name.map(StrBytes::from_string);
    }
    r.assignment = o.assignment;
    r
}

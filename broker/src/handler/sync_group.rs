//! SyncGroup: the leader hands out the assignment; followers wait for it.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{SyncGroupRequest, SyncGroupResponse};

use crate::context::RequestContext;
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
    let r = state.groups.sync_group(req, ctx.api_version).await;
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

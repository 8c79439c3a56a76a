//! Heartbeat: a member proves it is alive and learns of a rebalance.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{HeartbeatRequest, HeartbeatResponse};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: HeartbeatRequest,
) -> HeartbeatResponse {
    let (group, member, generation) = (
        req.group_id.0.clone(),
        req.member_id.clone(),
        req.generation_id,
    );
    let r = state.groups.heartbeat(req, ctx.api_version).await;
    tracing::debug!(
        conn = ctx.connection.connection_id,
        correlation_id = ctx.correlation_id,
        %group,
        %member,
        generation,
        error = r.error_code,
        "Heartbeat answered"
    );
    r
}

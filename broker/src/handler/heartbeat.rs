//! Heartbeat: a member proves it is alive and learns of a rebalance.
//! The group state lives in `coordinator/`; this file turns the request into a [`Heartbeat`]
//! and the result into the response.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::{HeartbeatRequest, HeartbeatResponse};

use crate::context::RequestContext;
use crate::coordinator::Heartbeat;
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
    let result = state.groups.heartbeat(request(req, ctx.api_version)).await;
    let r = response(result);
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

/// The coordinator's input for a Heartbeat request of `version`.
pub(crate) fn request(req: HeartbeatRequest, version: i16) -> Heartbeat {
    Heartbeat {
        group_id: req.group_id.0.to_string(),
        member_id: req.member_id.to_string(),
        generation_id: req.generation_id,
        // group.instance.id exists from v3 on.
        instance_id: if version >= 3 {
            req.group_instance_id.map(|s| s.to_string())
        } else {
            None
        },
    }
}

/// The Heartbeat response for the coordinator's result.
pub(crate) fn response(result: Result<(), ErrorCode>) -> HeartbeatResponse {
    HeartbeatResponse::default().with_error_code(result.err().map_or(0, |e| e.code()))
}

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
    state.groups.heartbeat(req, ctx.api_version).await
}

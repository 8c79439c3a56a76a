//! LeaveGroup: members leave (one, or a batch from v3 on) and the group rebalances.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{LeaveGroupRequest, LeaveGroupResponse};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: LeaveGroupRequest,
) -> LeaveGroupResponse {
    state.groups.leave_group(req, ctx.api_version).await
}

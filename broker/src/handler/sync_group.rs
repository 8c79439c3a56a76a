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
    state.groups.sync_group(req, ctx.api_version).await
}

//! DeleteGroups: removes empty groups and their offsets.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{DeleteGroupsRequest, DeleteGroupsResponse};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DeleteGroupsRequest,
) -> DeleteGroupsResponse {
    state.groups.delete_groups(req, ctx.api_version).await
}

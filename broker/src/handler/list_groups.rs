//! ListGroups: every group the coordinator knows, with its state and protocol type.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{ListGroupsRequest, ListGroupsResponse};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: ListGroupsRequest,
) -> ListGroupsResponse {
    state.groups.list_groups(req, ctx.api_version).await
}

//! DescribeGroups: state, protocol and members (with assignments) of groups.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{DescribeGroupsRequest, DescribeGroupsResponse};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeGroupsRequest,
) -> DescribeGroupsResponse {
    state.groups.describe_groups(req, ctx.api_version).await
}

//! OffsetDelete: removes committed offsets of partitions a group no longer consumes.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{OffsetDeleteRequest, OffsetDeleteResponse};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: OffsetDeleteRequest,
) -> OffsetDeleteResponse {
    state.groups.offset_delete(req, ctx.api_version).await
}

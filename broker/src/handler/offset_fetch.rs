//! OffsetFetch: a group's committed offsets, for one or many groups (v8+).
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{OffsetFetchRequest, OffsetFetchResponse};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: OffsetFetchRequest,
) -> OffsetFetchResponse {
    state.groups.offset_fetch(req, ctx.api_version).await
}

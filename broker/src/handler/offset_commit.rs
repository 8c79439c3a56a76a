//! OffsetCommit: a group (or a standalone consumer) stores committed offsets, durably.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{OffsetCommitRequest, OffsetCommitResponse};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: OffsetCommitRequest,
) -> OffsetCommitResponse {
    state.groups.offset_commit(req, ctx.api_version).await
}

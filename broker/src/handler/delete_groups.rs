//! DeleteGroups: removes empty groups and their offsets.
//! The group state lives in `coordinator/`; this file asks it to delete each named group and
//! collects the results.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::delete_groups_response::DeletableGroupResult;
use kafka_protocol::messages::{DeleteGroupsRequest, DeleteGroupsResponse, GroupId};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    _ctx: &RequestContext<'_>,
    req: DeleteGroupsRequest,
) -> DeleteGroupsResponse {
    let mut results = Vec::with_capacity(req.groups_names.len());
    for id in req.groups_names {
        let deleted = state.groups.delete_group(&id.0).await;
        results.push(result(id, deleted));
    }
    DeleteGroupsResponse::default().with_results(results)
}

/// One group's entry of the response.
pub(crate) fn result(id: GroupId, deleted: Result<(), ErrorCode>) -> DeletableGroupResult {
    DeletableGroupResult::default()
        .with_group_id(id)
        .with_error_code(deleted.err().map_or(0, |e| e.code()))
}

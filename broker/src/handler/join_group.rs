//! JoinGroup: a member joins (or rejoins) a group; the coordinator parks it until the generation forms.
//! The group state lives in `coordinator/`; this file is the API's entry point.

use kafka_protocol::messages::{JoinGroupRequest, JoinGroupResponse};

use crate::context::RequestContext;
use crate::coordinator::ClientInfo;
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: JoinGroupRequest,
) -> JoinGroupResponse {
    let client = ClientInfo {
        client_id: ctx.client_id.clone(),
        client_host: ctx.client_host(),
    };
    let group = req.group_id.0.clone();
    let member = req.member_id.clone();
    tracing::debug!(conn = ctx.connection.connection_id, correlation_id = ctx.correlation_id, %group, %member, "JoinGroup received (answered when the generation forms)");
    let r = state
        .groups
        .join_group_from(req, ctx.api_version, client)
        .await;
    tracing::debug!(
        conn = ctx.connection.connection_id,
        correlation_id = ctx.correlation_id,
        %group,
        member = %r.member_id,
        generation = r.generation_id,
        leader = %r.leader,
        error = r.error_code,
        "JoinGroup answered"
    );
    r
}

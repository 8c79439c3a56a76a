//! FindCoordinator: this broker coordinates every group. Transaction coordinators are not
//! offered (transactions are not supported yet), so such a lookup fails fast and clearly.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::find_coordinator_response::Coordinator;
use kafka_protocol::messages::{BrokerId, FindCoordinatorRequest, FindCoordinatorResponse};
use kafka_protocol::protocol::StrBytes;

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

const GROUP_KEY: i8 = 0;

fn answer(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    key: StrBytes,
    key_type: i8,
) -> Coordinator {
    let c = Coordinator::default().with_key(key.clone());
    if key_type != GROUP_KEY {
        return c
            .with_node_id(BrokerId(-1))
            .with_error_code(ErrorCode::UnsupportedVersion.code())
            .with_error_message(Some(sb(
                "ferrokafka does not support transactions yet; unset transactional.id",
            )));
    }
    if key.is_empty() {
        return c
            .with_node_id(BrokerId(-1))
            .with_error_code(ErrorCode::InvalidRequest.code())
            .with_error_message(Some(sb("the group id is empty")));
    }
    if !ctx.authorize(Operation::Describe, Resource::Group(key.as_str())) {
        return c
            .with_node_id(BrokerId(-1))
            .with_error_code(ErrorCode::GroupAuthorizationFailed.code())
            .with_error_message(Some(sb(format!(
                "Not authorized to access group: {}",
                key.as_str()
            ))));
    }
    let endpoint = state.endpoint(&ctx.connection.listener_name);
    c.with_node_id(BrokerId(state.node_id))
        .with_host(sb(endpoint.host.clone()))
        .with_port(endpoint.port)
        .with_error_code(0)
}

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: FindCoordinatorRequest,
) -> FindCoordinatorResponse {
    let version = ctx.api_version;
    if version >= 4 {
        let coordinators = req
            .coordinator_keys
            .into_iter()
            .map(|k| answer(state, ctx, k, req.key_type))
            .collect();
        return FindCoordinatorResponse::default().with_coordinators(coordinators);
    }
    let c = answer(state, ctx, req.key, req.key_type);
    // error_message exists from v1 on.
    let message = if version >= 1 { c.error_message } else { None };
    FindCoordinatorResponse::default()
        .with_error_code(c.error_code)
        .with_error_message(message)
        .with_node_id(c.node_id)
        .with_host(c.host)
        .with_port(c.port)
}

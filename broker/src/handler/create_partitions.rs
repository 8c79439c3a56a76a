//! CreatePartitions: raise a topic's partition count (never lower it).

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::create_partitions_response::CreatePartitionsTopicResult;
use kafka_protocol::messages::{CreatePartitionsRequest, CreatePartitionsResponse};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: CreatePartitionsRequest,
) -> CreatePartitionsResponse {
    let results = req
        .topics
        .into_iter()
        .map(|t| {
            let result = CreatePartitionsTopicResult::default().with_name(t.name.clone());
            if !ctx.authorize(Operation::Alter, Resource::Topic(t.name.0.as_str())) {
                return result
                    .with_error_code(ErrorCode::TopicAuthorizationFailed.code())
                    .with_error_message(Some(sb("Authorization failed.")));
            }
            let bad_assignment = t.assignments.as_ref().is_some_and(|a| {
                a.iter()
                    .any(|x| x.broker_ids.len() != 1 || x.broker_ids[0].0 != state.node_id)
            });
            if bad_assignment {
                return result
                    .with_error_code(ErrorCode::InvalidReplicaAssignment.code())
                    .with_error_message(Some(sb(format!(
                    "Replica assignments may only name broker {}, the only broker of this cluster.",
                    state.node_id
                ))));
            }
            match state
                .topics
                .add_partitions(t.name.0.as_str(), t.count, req.validate_only)
            {
                Ok(()) => result.with_error_code(0),
                Err(e) => result
                    .with_error_code(e.code())
                    .with_error_message(Some(sb(e.to_string()))),
            }
        })
        .collect();
    CreatePartitionsResponse::default().with_results(results)
}

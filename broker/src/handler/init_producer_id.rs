//! InitProducerId: a fresh producer id with epoch 0 for idempotent producers, as Kafka gives
//! a producer without a transactional id. Transactional ids are refused until transactions land.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::{InitProducerIdRequest, InitProducerIdResponse, ProducerId};

use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: InitProducerIdRequest,
) -> InitProducerIdResponse {
    let none = InitProducerIdResponse::default()
        .with_producer_id(ProducerId(-1))
        .with_producer_epoch(-1);
    if let Some(id) = &req.transactional_id {
        if !ctx.authorize(Operation::Write, Resource::TransactionalId(id.as_str())) {
            return none.with_error_code(ErrorCode::TransactionalIdAuthorizationFailed.code());
        }
        return none.with_error_code(ErrorCode::UnsupportedVersion.code());
    }
    // An idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic
    // (KIP-679), else CLUSTER_AUTHORIZATION_FAILED.
    if !ctx.authorize(Operation::IdempotentWrite, Resource::Cluster)
        && !ctx.authorizer.authorize_any_topic(ctx, Operation::Write)
    {
        return none.with_error_code(ErrorCode::ClusterAuthorizationFailed.code());
    }
    match state.producer_ids.next() {
        Ok(id) => InitProducerIdResponse::default()
            .with_error_code(0)
            .with_producer_id(ProducerId(id))
            .with_producer_epoch(0),
        Err(e) => {
            tracing::error!(error = %e, "cannot allocate a producer id");
            none.with_error_code(ErrorCode::CoordinatorNotAvailable.code())
        }
    }
}

//! InitProducerId: a fresh producer id with epoch 0 for idempotent producers, as Kafka gives
//! a producer without a transactional id. Transactional ids are refused until transactions land.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::{InitProducerIdRequest, InitProducerIdResponse, ProducerId};

use crate::context::RequestContext;
use crate::state::BrokerState;

pub fn handle(
    state: &BrokerState,
    _ctx: &RequestContext<'_>,
    req: InitProducerIdRequest,
) -> InitProducerIdResponse {
    let none = InitProducerIdResponse::default()
        .with_producer_id(ProducerId(-1))
        .with_producer_epoch(-1);
    if req.transactional_id.is_some() {
        return none.with_error_code(ErrorCode::UnsupportedVersion.code());
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

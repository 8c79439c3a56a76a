//! InitProducerId: a fresh producer id with epoch 0 for idempotent producers, as Kafka gives
//! a producer without a transactional id. Transactional ids are refused until transactions land.

use kafka_protocol::messages::{InitProducerIdRequest, InitProducerIdResponse, ProducerId};

use crate::state::BrokerState;

const UNSUPPORTED_VERSION: i16 = 35;
const COORDINATOR_NOT_AVAILABLE: i16 = 15;

pub fn handle(
    state: &BrokerState,
    req: InitProducerIdRequest,
    _version: i16,
) -> InitProducerIdResponse {
    let none = InitProducerIdResponse::default()
        .with_producer_id(ProducerId(-1))
        .with_producer_epoch(-1);
    if req.transactional_id.is_some() {
        return none.with_error_code(UNSUPPORTED_VERSION);
    }
    match state.producer_ids.next() {
        Ok(id) => InitProducerIdResponse::default()
            .with_error_code(0)
            .with_producer_id(ProducerId(id))
            .with_producer_epoch(0),
        Err(e) => {
            tracing::error!(error = %e, "cannot allocate a producer id");
            none.with_error_code(COORDINATOR_NOT_AVAILABLE)
        }
    }
}

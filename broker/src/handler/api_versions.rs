//! ApiVersions: the APIs and version ranges this broker speaks (every version the
//! `kafka-protocol` crate supports for each API we serve).

use crate::context::RequestContext;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiVersionsRequest, ApiVersionsResponse};

use super::SUPPORTED_APIS;

pub fn handle(_ctx: &RequestContext<'_>, _req: ApiVersionsRequest) -> ApiVersionsResponse {
    let api_keys = SUPPORTED_APIS
        .iter()
        .map(|api| {
            let r = api.valid_versions();
            ApiVersion::default()
                .with_api_key(*api as i16)
                .with_min_version(r.min)
                .with_max_version(r.max)
        })
        .collect();
    ApiVersionsResponse::default()
        .with_error_code(0)
        .with_api_keys(api_keys)
        .with_finalized_features_epoch(-1)
}

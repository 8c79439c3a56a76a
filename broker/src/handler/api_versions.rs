//! ApiVersions: the APIs and version ranges this broker advertises. Each range is what the
//! `kafka-protocol` crate decodes for an API we serve, with the two adjustments Apache Kafka
//! 4.3.1 makes to its own list (measured with `kafka-broker-api-versions` on both brokers):
//! Produce is advertised from v0 although only v3+ is accepted, and InitProducerId stops at v5.

use crate::context::RequestContext;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, ApiVersionsResponse};
use kafka_protocol::protocol::VersionRange;

use super::SUPPORTED_APIS;

pub fn handle(_ctx: &RequestContext<'_>, _req: ApiVersionsRequest) -> ApiVersionsResponse {
    let api_keys = SUPPORTED_APIS
        .iter()
        .map(|api| {
            let r = advertised(*api);
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

/// The range advertised for `api`.
fn advertised(api: ApiKey) -> VersionRange {
    let decodable = api.valid_versions();
    match api {
        // KAFKA-18659: librdkafka before 2.10 will not produce to a broker whose Produce range
        // starts above v0, so Kafka 4 keeps advertising v0 while it refuses v0-v2 requests
        // (it closes the connection, as this broker does: the crate decodes only v3+).
        ApiKey::Produce => VersionRange {
            min: 0,
            max: decodable.max,
        },
        // v6 (KIP-939 two-phase commit) is unreleased in Kafka 4.3.1, which advertises v0-v5.
        ApiKey::InitProducerId => VersionRange {
            min: decodable.min,
            max: decodable.max.min(5),
        },
        _ => decodable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka 4.3.1's ranges (kafka-broker-api-versions against Apache Kafka 4.3.1) for the
    /// APIs whose range differs from the crate's, or which clients negotiate most.
    #[test]
    fn advertises_what_kafka_4_3_advertises() {
        let expect = [
            (ApiKey::Produce, 0, 13),
            (ApiKey::Fetch, 4, 18),
            (ApiKey::ListOffsets, 1, 11),
            (ApiKey::Metadata, 0, 13),
            (ApiKey::InitProducerId, 0, 5),
            (ApiKey::DescribeLogDirs, 1, 5),
            (ApiKey::DescribeTopicPartitions, 0, 0),
            (ApiKey::ListConfigResources, 0, 1),
        ];
        for (api, min, max) in expect {
            let r = advertised(api);
            assert_eq!((r.min, r.max), (min, max), "{api:?}");
        }
    }
}

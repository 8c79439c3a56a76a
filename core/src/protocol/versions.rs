//! API version negotiation: the highest version both this client and the broker support.
//!
//! Owns the client-side caps (versions this client's logic is written for) and the intersection
//! with a broker's ApiVersions answer. It must not send requests.

use std::collections::HashMap;

use kafka_protocol::messages::{ApiKey, ApiVersionsResponse};
use kafka_protocol::protocol::{Request, VersionRange};

use crate::error::{Error, ErrorKind, Result};

/// The highest version of `key` this client's logic handles (topic-id-only Produce v13 and
/// Fetch v13+ need topic ids everywhere, so those stay capped until the consumer uses ids).
pub fn client_max(key: i16, crate_max: i16) -> i16 {
    match ApiKey::try_from(key) {
        Ok(ApiKey::Produce) => crate_max.min(12),
        Ok(ApiKey::Fetch) => crate_max.min(12),
        _ => crate_max,
    }
}

/// Versions a broker supports, from its ApiVersions response.
#[derive(Debug, Clone, Default)]
pub struct BrokerVersions {
    ranges: HashMap<i16, VersionRange>,
}

impl BrokerVersions {
    /// From a decoded ApiVersions response.
    pub fn from_response(resp: &ApiVersionsResponse) -> BrokerVersions {
        let ranges = resp
            .api_keys
            .iter()
            .map(|k| {
                (
                    k.api_key,
                    VersionRange {
                        min: k.min_version,
                        max: k.max_version,
                    },
                )
            })
            .collect();
        BrokerVersions { ranges }
    }

    /// The broker's range for `key`, if it supports the API at all.
    pub fn range(&self, key: i16) -> Option<VersionRange> {
        self.ranges.get(&key).copied()
    }

    /// The version to use for request type `R`: the highest both sides support.
    pub fn pick<R: Request>(&self) -> Result<i16> {
        let ours = VersionRange {
            min: R::VERSIONS.min,
            max: client_max(R::KEY, R::VERSIONS.max),
        };
        let name = ApiKey::try_from(R::KEY)
            .map(|k| format!("{k:?}"))
            .unwrap_or_else(|_| R::KEY.to_string());
        let theirs = self.range(R::KEY).ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedVersion,
                format!("the broker does not support the {name} API; upgrade the broker"),
            )
        })?;
        let common = ours.intersect(&theirs);
        if common.is_empty() {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!(
                    "no common {name} version: client supports {ours}, broker supports {theirs}; \
                     upgrade the older side"
                ),
            ));
        }
        Ok(common.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::api_versions_response::ApiVersion;
    use kafka_protocol::messages::{MetadataRequest, ProduceRequest};

    fn broker(list: &[(i16, i16, i16)]) -> BrokerVersions {
        let resp = ApiVersionsResponse::default().with_api_keys(
            list.iter()
                .map(|&(k, lo, hi)| {
                    ApiVersion::default()
                        .with_api_key(k)
                        .with_min_version(lo)
                        .with_max_version(hi)
                })
                .collect(),
        );
        BrokerVersions::from_response(&resp)
    }

    #[test]
    fn picks_highest_common_version() {
        let b = broker(&[(3, 0, 9), (0, 3, 20)]);
        assert_eq!(b.pick::<MetadataRequest>().unwrap(), 9);
        assert_eq!(b.pick::<ProduceRequest>().unwrap(), 12);
    }

    #[test]
    fn no_overlap_or_missing_api_is_unsupported() {
        let b = broker(&[(0, 0, 2)]);
        assert_eq!(
            b.pick::<ProduceRequest>().unwrap_err().kind(),
            ErrorKind::UnsupportedVersion
        );
        assert_eq!(
            b.pick::<MetadataRequest>().unwrap_err().kind(),
            ErrorKind::UnsupportedVersion
        );
    }
}

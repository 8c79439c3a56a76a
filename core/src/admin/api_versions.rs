//! Each broker's ApiVersions ranges and the version this client would use, as
//! `kafka-broker-api-versions` prints them. It only reads what the connection negotiated.

use kafka_protocol::messages::ApiKey;

use super::Admin;
use crate::error::Result;
use crate::protocol::versions::client_max;

/// One API as a broker advertises it, and the version this client would pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersionInfo {
    pub api_key: i16,
    /// The broker's `(min, max)`, `None` when it does not advertise the API.
    pub broker: Option<(i16, i16)>,
    /// The highest version both sides support, `None` when there is none.
    pub usable: Option<i16>,
}

/// A broker and its API versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeApiVersions {
    pub id: i32,
    pub host: String,
    pub port: i32,
    pub rack: Option<String>,
    pub apis: Vec<ApiVersionInfo>,
}

impl Admin {
    /// The API versions of every broker, for `api_keys`.
    pub async fn broker_api_versions(&self, api_keys: &[i16]) -> Result<Vec<NodeApiVersions>> {
        let cluster = self.describe_cluster().await?;
        let mut out = Vec::new();
        for b in cluster.brokers {
            let conn = self
                .retry("reading API versions", || self.cluster.broker(b.id))
                .await?;
            let versions = conn.versions();
            let apis = api_keys
                .iter()
                .map(|&k| {
                    let broker = versions.range(k).map(|r| (r.min, r.max));
                    let ours = ApiKey::try_from(k).ok().map(|a| {
                        let r = a.valid_versions();
                        (r.min, client_max(k, r.max))
                    });
                    let usable = match (broker, ours) {
                        (Some((bmin, bmax)), Some((cmin, cmax))) => {
                            let (lo, hi) = (bmin.max(cmin), bmax.min(cmax));
                            (lo <= hi).then_some(hi)
                        }
                        _ => None,
                    };
                    ApiVersionInfo {
                        api_key: k,
                        broker,
                        usable,
                    }
                })
                .collect();
            out.push(NodeApiVersions {
                id: b.id,
                host: b.host,
                port: b.port,
                rack: b.rack,
                apis,
            });
        }
        Ok(out)
    }
}

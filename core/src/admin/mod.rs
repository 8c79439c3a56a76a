//! The admin client: topics, partitions, configs, consumer groups, group offsets, list
//! offsets, delete records, cluster description.
//!
//! Owns routing (controller for topic changes, group coordinator for group operations,
//! partition leaders for offsets and record deletion) and retrying retriable errors within
//! `default.api.timeout.ms`. Each concern lives in its own file; none of them decides policy
//! for the caller (no implicit topic creation).

mod acls;
mod api_versions;
mod config_details;
mod configs;
mod coordinator;
mod groups;
mod log_dirs;
mod member_protocol;
mod quotas;
mod records;
mod scram;
mod topic_partitions;
mod topics;

use std::future::Future;
use std::sync::Arc;

use kafka_protocol::messages::DescribeClusterRequest;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::cluster::{BrokerInfo, Cluster};
use crate::config::ClientConfig;
use crate::connection::{Connection, Connector, TcpConnector};
use crate::error::{Error, ErrorKind, Result};
pub use crate::requests::offsets::{ListedOffset, EARLIEST, LATEST, MAX_TIMESTAMP};
pub use crate::types::PartitionInfo;
pub use acls::{AclBinding, AclFilter, AclOperation, AclPermission, AclResourceType, PatternType};
pub use api_versions::{ApiVersionInfo, NodeApiVersions};
pub use config_details::{config_source_name, ConfigDetail, ConfigSynonym};
pub use configs::{AlterConfigOp, ConfigEntry, ConfigResource, ConfigResourceType};
pub use coordinator::GroupCoordinator;
pub use groups::{GroupDescription, GroupListing, MemberDescription};
pub use log_dirs::{LogDirDescription, ReplicaInfo};
pub use member_protocol::{
    decode_member_assignment, decode_member_subscription, MemberAssignmentData,
    MemberSubscriptionData,
};
pub use quotas::{ClientQuotaEntity, ClientQuotaEntry, QuotaMatch};
pub use scram::{ScramCredentialAlteration, ScramCredentialInfo, DEFAULT_SCRAM_ITERATIONS};
pub use topics::{
    CreatedTopic, CreatedTopicConfig, NewTopic, PartitionState, TopicDescription, TopicListing,
};

/// The cluster as DescribeCluster/Metadata report it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterDescription {
    pub cluster_id: Option<String>,
    pub controller_id: Option<i32>,
    pub brokers: Vec<BrokerInfo>,
    /// The operations this client may perform on the cluster (Kafka's `AclOperation` codes as
    /// bits); None where the broker did not say (no DescribeCluster).
    pub authorized_operations: Option<i32>,
}

/// A Kafka admin client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Admin {
    pub(crate) cluster: Cluster,
    /// `default.api.timeout.ms`, at least `request.timeout.ms` (Java's admin rule).
    api_timeout: std::time::Duration,
}

impl Admin {
    /// Creates an admin client; it connects lazily.
    pub fn new(config: ClientConfig) -> Result<Admin> {
        Admin::with_connector(config, Arc::new(TcpConnector))
    }

    /// [`new`](Self::new) with the connections made by `connector` (a test's fault injection,
    /// or a binding's own transport).
    pub fn with_connector(config: ClientConfig, connector: Arc<dyn Connector>) -> Result<Admin> {
        let _rt = crate::runtime::handle().enter();
        let c = &config.common;
        let api_timeout = if c.default_api_timeout < c.request_timeout {
            warn!(
                default_api_timeout_ms = c.default_api_timeout.as_millis() as u64,
                request_timeout_ms = c.request_timeout.as_millis() as u64,
                "default.api.timeout.ms is below request.timeout.ms; the admin client uses request.timeout.ms"
            );
            c.request_timeout
        } else {
            c.default_api_timeout
        };
        Ok(Admin {
            cluster: Cluster::new(config, connector, false)?,
            api_timeout,
        })
    }

    /// The cluster handle (metadata and connections) this client uses.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub(crate) fn deadline(&self) -> Instant {
        Instant::now() + self.api_timeout
    }

    /// Runs `op` until it succeeds, fails with a non-retriable error, has been retried
    /// `retries` times, or the deadline passes, as Java's admin client does: the back-off starts
    /// at `retry.backoff.ms` and doubles up to `retry.backoff.max.ms` (KIP-580, without jitter).
    /// When the retries run out, the last attempt's error is returned.
    pub(crate) async fn retry<T, F, Fut>(&self, what: &str, mut op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let deadline = self.deadline();
        let common = &self.cluster.config().common;
        let retries = self.cluster.config().producer.retries;
        let mut backoff = common.retry_backoff;
        let mut retried = 0u32;
        // What the retried attempts failed with, for the timeout's message.
        let mut last: Option<String> = None;
        loop {
            // A request stuck on a silent broker must not outlive the call either.
            let attempt = match tokio::time::timeout_at(deadline, op()).await {
                Ok(r) => r,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    match &last {
                        Some(e) => format!(
                            "no answer within default.api.timeout.ms; the last attempt failed \
                             with: {e}"
                        ),
                        None => "no answer within default.api.timeout.ms; check that the \
                                 brokers are reachable, or raise default.api.timeout.ms"
                            .to_string(),
                    },
                )),
            };
            match attempt {
                Ok(v) => return Ok(v),
                Err(e)
                    if e.is_retriable()
                        && retried < retries
                        && Instant::now() + backoff < deadline =>
                {
                    debug!(what, error = %e, "retrying admin request");
                    last = Some(e.to_string());
                    retried += 1;
                    self.cluster.on_error(&e);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(common.retry_backoff_max.max(common.retry_backoff));
                    self.cluster.refresh().await.ok();
                }
                Err(e) => return Err(e.context(what)),
            }
        }
    }

    /// The controller (KRaft brokers forward to the active controller), or any broker.
    pub(crate) async fn controller(&self) -> Result<Arc<Connection>> {
        let md = self.cluster.metadata();
        let md = if md.brokers.is_empty() {
            self.cluster.refresh().await?
        } else {
            md
        };
        match md.controller_id {
            Some(id) if md.brokers.contains_key(&id) => self.cluster.broker(id).await,
            _ => self.cluster.any_broker().await,
        }
    }

    /// Cluster id, controller and brokers.
    pub async fn describe_cluster(&self) -> Result<ClusterDescription> {
        self.retry("describing the cluster", || async {
            let conn = self.cluster.any_broker().await?;
            if conn.version::<DescribeClusterRequest>().is_ok() {
                let req = DescribeClusterRequest::default()
                    .with_include_cluster_authorized_operations(true);
                let resp = conn.request(&req).await?;
                if resp.error_code != 0 {
                    return Err(Error::from_code(resp.error_code, "DescribeCluster"));
                }
                let ops = resp.cluster_authorized_operations;
                return Ok(ClusterDescription {
                    authorized_operations: (ops != i32::MIN).then_some(ops),
                    cluster_id: Some(resp.cluster_id.to_string()),
                    controller_id: (resp.controller_id.0 >= 0).then_some(resp.controller_id.0),
                    brokers: resp
                        .brokers
                        .iter()
                        .map(|b| BrokerInfo {
                            id: b.broker_id.0,
                            host: b.host.to_string(),
                            port: b.port,
                            rack: b.rack.as_ref().map(|r| r.to_string()),
                        })
                        .collect(),
                });
            }
            let md = self.cluster.refresh().await?;
            let mut brokers: Vec<BrokerInfo> = md.brokers.values().cloned().collect();
            brokers.sort_by_key(|b| b.id);
            Ok(ClusterDescription {
                authorized_operations: None,
                cluster_id: md.cluster_id.clone(),
                controller_id: md.controller_id,
                brokers,
            })
        })
        .await
    }

    /// Closes connections.
    pub fn close(&self) {
        self.cluster.close();
    }
}

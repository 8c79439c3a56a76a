//! State shared by every connection: settings, cluster identity, topics, groups, producer ids,
//! and the "records appended" signal that long-polling fetches wait on.

use std::sync::Arc;

use tokio::sync::watch;

use crate::config::{BrokerConfig, Listener};
use crate::context::{Authorizer, SecurityProtocol};
use crate::coordinator::GroupCoordinator;
use crate::producer_ids::ProducerIdAllocator;
use crate::topics::TopicRegistry;

pub struct BrokerState {
    pub config: Arc<BrokerConfig>,
    pub node_id: i32,
    pub cluster_id: String,
    /// Every listener served, with the address clients are told to connect to through it.
    pub endpoints: Vec<Endpoint>,
    /// Decides what each principal may do (see `context`).
    pub authorizer: Arc<dyn Authorizer>,
    /// SCRAM credentials (salted hashes), shared with every SASL listener.
    pub credentials: Arc<crate::security::credentials::CredentialStore>,
    pub topics: Arc<TopicRegistry>,
    pub groups: Arc<GroupCoordinator>,
    /// Dynamic group configs (config resource type GROUP).
    pub group_configs: crate::group_config::GroupConfigStore,
    /// Client quota settings (stored and reported, not enforced).
    pub quotas: crate::quotas::QuotaStore,
    pub producer_ids: ProducerIdAllocator,
    /// Bumped after every append, so waiting fetches re-check their partitions.
    pub appended: watch::Sender<u64>,
    /// Incremental fetch sessions (KIP-227).
    pub fetch_sessions: crate::handler::fetch_session::FetchSessionCache,
}

/// A served listener and the address advertised for it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub listener: Listener,
    pub security_protocol: SecurityProtocol,
    /// Advertised host and port (the bound port when configured as 0).
    pub host: String,
    pub port: i32,
}

impl BrokerState {
    /// The endpoint of the listener named `listener_name`: a client is told the address of the
    /// listener it came in on, as Kafka does. Falls back to the first listener.
    pub fn endpoint(&self, listener_name: &str) -> &Endpoint {
        self.endpoints
            .iter()
            .find(|e| e.listener.name == listener_name)
            .unwrap_or(&self.endpoints[0])
    }

    /// Wakes fetches waiting for data.
    pub fn notify_appended(&self) {
        self.appended.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// Lets the group coordinator ask whether a partition exists.
pub struct TopicOracleAdapter(pub Arc<TopicRegistry>);

impl crate::coordinator::TopicOracle for TopicOracleAdapter {
    fn partition_exists(&self, topic: &str, partition: i32) -> bool {
        self.0.partition(topic, partition).is_some()
    }
}

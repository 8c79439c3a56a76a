//! State shared by every connection: settings, cluster identity, topics, groups, producer ids,
//! and the "records appended" signal that long-polling fetches wait on.

use std::sync::Arc;

use tokio::sync::watch;

use crate::config::BrokerConfig;
use crate::coordinator::GroupCoordinator;
use crate::producer_ids::ProducerIdAllocator;
use crate::topics::TopicRegistry;

pub struct BrokerState {
    pub config: Arc<BrokerConfig>,
    pub node_id: i32,
    pub cluster_id: String,
    /// Host and port clients are told to connect to.
    pub advertised_host: String,
    pub advertised_port: i32,
    pub topics: Arc<TopicRegistry>,
    pub groups: Arc<GroupCoordinator>,
    pub producer_ids: ProducerIdAllocator,
    /// Bumped after every append, so waiting fetches re-check their partitions.
    pub appended: watch::Sender<u64>,
}

impl BrokerState {
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

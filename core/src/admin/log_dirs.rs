//! DescribeLogDirs: each broker's log directories and the size of every partition replica in
//! them, as `kafka-log-dirs --describe` prints them. Sent to each broker itself.

use kafka_protocol::messages::DescribeLogDirsRequest;

use super::Admin;
use crate::error::{Error, Result};
use crate::types::TopicPartition;

/// One partition replica in a log directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaInfo {
    pub partition: TopicPartition,
    pub size: i64,
    pub offset_lag: i64,
    pub is_future: bool,
}

/// One log directory of a broker (`error_code` non-zero when the directory is offline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogDirDescription {
    pub path: String,
    pub error_code: i16,
    pub replicas: Vec<ReplicaInfo>,
}

impl Admin {
    /// The log directories of broker `broker_id` with every replica in them.
    pub async fn describe_log_dirs(&self, broker_id: i32) -> Result<Vec<LogDirDescription>> {
        let req = DescribeLogDirsRequest::default().with_topics(None);
        self.retry("describing log dirs", || async {
            let resp = self.cluster.broker(broker_id).await?.request(&req).await?;
            if resp.error_code != 0 {
                return Err(Error::from_code(
                    resp.error_code,
                    format!("describing log dirs of broker {broker_id}"),
                ));
            }
            Ok(resp
                .results
                .iter()
                .map(|d| LogDirDescription {
                    path: d.log_dir.to_string(),
                    error_code: d.error_code,
                    replicas: d
                        .topics
                        .iter()
                        .flat_map(|t| {
                            t.partitions.iter().map(move |p| ReplicaInfo {
                                partition: TopicPartition::new(
                                    t.name.0.as_str(),
                                    p.partition_index,
                                ),
                                size: p.partition_size,
                                offset_lag: p.offset_lag,
                                is_future: p.is_future_key,
                            })
                        })
                        .collect(),
                })
                .collect())
        })
        .await
    }
}

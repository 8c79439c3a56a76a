//! Small value types shared by every client (producer, consumer, admin).

use std::fmt;
use std::sync::Arc;

/// A topic name and partition index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    pub topic: Arc<str>,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<Arc<str>>, partition: i32) -> TopicPartition {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// A committed offset: the next offset to read, with optional metadata and leader epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetAndMetadata {
    pub offset: i64,
    pub metadata: String,
    pub leader_epoch: Option<i32>,
}

impl OffsetAndMetadata {
    /// An offset without metadata.
    pub fn new(offset: i64) -> OffsetAndMetadata {
        OffsetAndMetadata {
            offset,
            metadata: String::new(),
            leader_epoch: None,
        }
    }

    /// An offset with commit metadata.
    pub fn with_metadata(offset: i64, metadata: impl Into<String>) -> OffsetAndMetadata {
        OffsetAndMetadata {
            offset,
            metadata: metadata.into(),
            leader_epoch: None,
        }
    }
}

/// One partition of a described topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    pub partition: i32,
    pub leader: Option<i32>,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// Eligible leader replicas (KIP-966); `None` when the answer came from Metadata, which
    /// does not carry them (Kafka's tools print `N/A`).
    pub elr: Option<Vec<i32>>,
    /// The last known ELR; `None` as for [`elr`](Self::elr).
    pub last_known_elr: Option<Vec<i32>>,
}

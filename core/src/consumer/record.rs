//! Values a consumer hands to the application: records, committed offsets, timestamps.
//!
//! Owns [`ConsumerRecord`] (shaped for every binding: kafkajs eachMessage, kafka-python poll,
//! Java poll), [`OffsetAndMetadata`] and [`OffsetAndTimestamp`]. It must not decode bytes.

use bytes::Bytes;

use crate::types::TopicPartition;

/// How a record's timestamp was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    /// Set by the producer.
    CreateTime,
    /// Set by the broker when it appended the record (`message.timestamp.type=LogAppendTime`).
    LogAppendTime,
}

/// One record read from a partition.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerRecord {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    pub timestamp_type: TimestampType,
    pub key: Option<Bytes>,
    pub value: Option<Bytes>,
    /// Headers in record order; a header value may be null.
    pub headers: Vec<(String, Option<Bytes>)>,
    /// Leader epoch of the batch, when the broker sent one.
    pub leader_epoch: Option<i32>,
}

impl ConsumerRecord {
    /// The partition this record came from.
    pub fn topic_partition(&self) -> TopicPartition {
        TopicPartition::new(self.topic.as_str(), self.partition)
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

/// The earliest offset whose timestamp is at or after a searched timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetAndTimestamp {
    pub offset: i64,
    pub timestamp: i64,
    pub leader_epoch: Option<i32>,
}

//! Values a consumer hands to the application: records, committed offsets, timestamps.
//!
//! Owns [`ConsumerRecord`] (shaped for every binding: kafkajs eachMessage, kafka-python poll,
//! Java poll), [`OffsetAndMetadata`] and [`OffsetAndTimestamp`]. It must not decode bytes.

use std::sync::Arc;

use bytes::Bytes;

pub use crate::protocol::BatchHeader;

pub use crate::types::OffsetAndMetadata;
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
    /// Shared by every record of the partition.
    pub topic: Arc<str>,
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
    /// The header of the record batch the record came in (kafkajs's `batchContext`), one
    /// allocation shared by the batch's records.
    pub batch: Arc<BatchHeader>,
}

impl ConsumerRecord {
    /// The partition this record came from.
    pub fn topic_partition(&self) -> TopicPartition {
        TopicPartition::new(Arc::clone(&self.topic), self.partition)
    }
}

/// The earliest offset whose timestamp is at or after a searched timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetAndTimestamp {
    pub offset: i64,
    pub timestamp: i64,
    pub leader_epoch: Option<i32>,
}

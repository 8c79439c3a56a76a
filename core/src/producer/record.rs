//! What users hand the producer and what they get back.
//!
//! Owns [`ProducerRecord`] and [`RecordMetadata`]; the future of a record's result is
//! [`DeliveryFuture`](super::DeliveryFuture) (delivery.rs). No batching logic here.

use std::sync::Arc;

use bytes::Bytes;

pub use crate::protocol::RecordHeader;

/// A record to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerRecord {
    /// Shared, so a caller sending many records to one topic clones a pointer, not the name.
    pub topic: Arc<str>,
    /// Explicit partition; `None` lets the partitioner choose.
    pub partition: Option<i32>,
    pub key: Option<Bytes>,
    pub value: Option<Bytes>,
    /// Headers in order; keys may repeat.
    pub headers: Vec<RecordHeader>,
    /// CreateTime in ms since the epoch; `None` = now.
    pub timestamp: Option<i64>,
}

impl ProducerRecord {
    /// A record with a value and nothing else. `topic` is a `&str`, `String` or `Arc<str>`
    /// ([`IntoTopicName`]); pass an `Arc<str>` to send many records without copying the name.
    pub fn new(topic: impl IntoTopicName, value: impl Into<Bytes>) -> ProducerRecord {
        ProducerRecord {
            topic: topic.into_topic_name(),
            partition: None,
            key: None,
            value: Some(value.into()),
            headers: Vec::new(),
            timestamp: None,
        }
    }

    pub fn with_key(mut self, key: impl Into<Bytes>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn with_partition(mut self, partition: i32) -> Self {
        self.partition = Some(partition);
        self
    }

    pub fn with_header(mut self, key: impl Into<String>, value: Option<Bytes>) -> Self {
        self.headers.push(RecordHeader {
            key: key.into(),
            value,
        });
        self
    }

    pub fn with_timestamp(mut self, timestamp_ms: i64) -> Self {
        self.timestamp = Some(timestamp_ms);
        self
    }

    /// Bytes this record takes in `buffer.memory` (its encoded size in a batch).
    pub fn estimated_size(&self) -> usize {
        crate::protocol::estimate_record_size(
            self.key.as_deref(),
            self.value.as_deref(),
            &self.headers,
        )
    }

    /// A tombstone-capable record with no value.
    pub fn with_null_value(mut self) -> Self {
        self.value = None;
        self
    }
}

/// A topic name as [`ProducerRecord::new`] takes it: `&str`, `String`, `&String` (copied once)
/// or `Arc<str>` / `&Arc<str>` (shared, nothing copied).
pub trait IntoTopicName {
    fn into_topic_name(self) -> Arc<str>;
}

impl IntoTopicName for Arc<str> {
    fn into_topic_name(self) -> Arc<str> {
        self
    }
}

impl IntoTopicName for &Arc<str> {
    fn into_topic_name(self) -> Arc<str> {
        self.clone()
    }
}

impl IntoTopicName for &str {
    fn into_topic_name(self) -> Arc<str> {
        self.into()
    }
}

impl IntoTopicName for String {
    fn into_topic_name(self) -> Arc<str> {
        self.into()
    }
}

impl IntoTopicName for &String {
    fn into_topic_name(self) -> Arc<str> {
        self.as_str().into()
    }
}

/// Where and when a record was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMetadata {
    pub topic: Arc<str>,
    pub partition: i32,
    /// The offset, or -1 with `acks=0`.
    pub offset: i64,
    /// CreateTime, or LogAppendTime when the topic uses it.
    pub timestamp: i64,
    /// The broker's LogAppendTime for the batch, or -1 when the topic uses CreateTime (or
    /// with `acks=0`).
    pub log_append_time: i64,
    /// The partition's log start offset the broker reported with the write, or -1 when it did
    /// not (`acks=0`, older Produce versions).
    pub log_start_offset: i64,
}

//! What users hand the producer and what they get back.
//!
//! Owns [`ProducerRecord`], [`RecordMetadata`] and [`DeliveryFuture`] (resolves when the broker
//! acknowledged the record or it failed for good). No batching logic here.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::sync::oneshot;

use crate::error::{Error, ErrorKind, Result};
pub use crate::protocol::RecordHeader;

/// A record to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerRecord {
    pub topic: String,
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
    /// A record with a value and nothing else.
    pub fn new(topic: impl Into<String>, value: impl Into<Bytes>) -> ProducerRecord {
        ProducerRecord {
            topic: topic.into(),
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

    /// A tombstone-capable record with no value.
    pub fn with_null_value(mut self) -> Self {
        self.value = None;
        self
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
}

/// Resolves to the delivery result of one record.
#[derive(Debug)]
pub struct DeliveryFuture {
    state: State,
}

#[derive(Debug)]
enum State {
    Ready(Option<Result<RecordMetadata>>),
    Waiting(oneshot::Receiver<Result<RecordMetadata>>),
}

impl DeliveryFuture {
    pub(crate) fn ready(res: Result<RecordMetadata>) -> DeliveryFuture {
        DeliveryFuture {
            state: State::Ready(Some(res)),
        }
    }

    pub(crate) fn waiting(rx: oneshot::Receiver<Result<RecordMetadata>>) -> DeliveryFuture {
        DeliveryFuture {
            state: State::Waiting(rx),
        }
    }
}

impl Future for DeliveryFuture {
    type Output = Result<RecordMetadata>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            State::Ready(r) => {
                Poll::Ready(r.take().unwrap_or_else(|| {
                    Err(Error::internal("DeliveryFuture polled after completion"))
                }))
            }
            State::Waiting(rx) => Pin::new(rx).poll(cx).map(|r| {
                r.unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorKind::Closed,
                        "the producer was dropped before the record was delivered",
                    ))
                })
            }),
        }
    }
}

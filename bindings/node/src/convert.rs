//! The JS-facing value shapes (`#[napi(object)]` interfaces) and their conversion to and from
//! the core's types. No I/O here.

use std::collections::HashMap;

use bytes::Bytes;
use ferrokafka_core::{ClientConfig, ProducerRecord, RecordMetadata, TopicPartition};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::error::to_napi;

/// One record header; a value may be null.
#[napi(object)]
pub struct Header {
    pub key: String,
    pub value: Option<Buffer>,
}

/// A record to produce. `partition` unset lets the core's partitioner choose.
#[napi(object)]
pub struct OutRecord {
    pub topic: String,
    pub partition: Option<i32>,
    pub key: Option<Buffer>,
    pub value: Option<Buffer>,
    pub headers: Option<Vec<Header>>,
    /// CreateTime in ms since the epoch; unset means now.
    pub timestamp: Option<i64>,
}

/// Where a record was written.
#[napi(object)]
pub struct Delivery {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: i64,
}

/// A topic and partition.
#[napi(object)]
#[derive(Clone)]
pub struct Tp {
    pub topic: String,
    pub partition: i32,
}

/// An offset for a topic partition (a commit, a seek, a group offset).
#[napi(object)]
pub struct TpOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub metadata: Option<String>,
}

fn bytes(b: Buffer) -> Bytes {
    Bytes::from(Vec::<u8>::from(b))
}

/// The core configuration from Java-named properties (the TS layer maps kafkajs options).
pub fn client_config(props: HashMap<String, String>) -> napi::Result<ClientConfig> {
    ClientConfig::from_pairs(props).map_err(to_napi)
}

impl From<OutRecord> for ProducerRecord {
    fn from(r: OutRecord) -> ProducerRecord {
        ProducerRecord {
            topic: r.topic,
            partition: r.partition,
            key: r.key.map(bytes),
            value: r.value.map(bytes),
            headers: r
                .headers
                .unwrap_or_default()
                .into_iter()
                .map(|h| ferrokafka_core::RecordHeader {
                    key: h.key,
                    value: h.value.map(bytes),
                })
                .collect(),
            timestamp: r.timestamp,
        }
    }
}

impl From<RecordMetadata> for Delivery {
    fn from(m: RecordMetadata) -> Delivery {
        Delivery {
            topic: m.topic.to_string(),
            partition: m.partition,
            offset: m.offset,
            timestamp: m.timestamp,
        }
    }
}

impl From<Tp> for TopicPartition {
    fn from(t: Tp) -> TopicPartition {
        TopicPartition::new(t.topic, t.partition)
    }
}

impl From<&TopicPartition> for Tp {
    fn from(t: &TopicPartition) -> Tp {
        Tp {
            topic: t.topic.to_string(),
            partition: t.partition,
        }
    }
}

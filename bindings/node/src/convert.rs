//! The JS-facing value shapes (`#[napi(object)]` interfaces) and their conversion to and from
//! the core's types. No I/O here.

use std::collections::HashMap;

use ferrokafka_core::{ClientConfig, RecordMetadata, TopicPartition};
use napi_derive::napi;

use crate::error::to_napi;

/// Where a record was written.
#[napi(object)]
pub struct Delivery {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: i64,
    /// The broker's LogAppendTime, -1 for CreateTime topics (set for produce results only).
    pub log_append_time: Option<i64>,
    /// The partition's log start offset the broker reported, -1 when it did not (produce only).
    pub log_start_offset: Option<i64>,
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

/// The core configuration from Java-named properties (the TS layer maps kafkajs options).
pub fn client_config(props: HashMap<String, String>) -> napi::Result<ClientConfig> {
    ClientConfig::from_pairs(props).map_err(to_napi)
}

impl From<RecordMetadata> for Delivery {
    fn from(m: RecordMetadata) -> Delivery {
        Delivery {
            topic: m.topic.to_string(),
            partition: m.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            log_append_time: Some(m.log_append_time),
            log_start_offset: Some(m.log_start_offset),
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

//! ferrokafka-core: the Kafka client every ferrokafka binding wraps.
//!
//! Layers, bottom up, each depending only on those below it: [`config`], [`error`] and
//! [`stats`] (windowed metric statistics), [`protocol`] (framing, headers, record batches),
//! [`connection`] (one broker socket), [`cluster`] (metadata and the connection pool), then the
//! clients ([`producer`], [`consumer`], [`admin`]).
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod admin;
pub mod cluster;
pub mod config;
pub mod connection;
pub mod consumer;
pub mod error;
pub mod runtime;
pub mod stats;

pub use admin::Admin;
pub use cluster::Cluster;
pub use config::ClientConfig;
pub use consumer::{Consumer, ConsumerRecord, OffsetAndMetadata, RebalanceListener};
pub use error::{Error, ErrorKind, Result};
pub use producer::{
    DeliveryFuture, MetricsSnapshot, Producer, ProducerOptions, ProducerRecord, RecordHeader,
    RecordMetadata,
};
pub use runtime::runtime;
pub use types::TopicPartition;
pub mod partitioner;
pub mod producer;
pub mod protocol;
mod random;
pub mod types;

//! ferrokafka-core: the Kafka client every ferrokafka binding wraps.
//!
//! The public surface is small: [`Producer`], [`Consumer`] and [`Admin`] with their records and
//! results, [`ClientConfig`], [`TopicPartition`], [`Error`]/[`ErrorKind`], metrics, the
//! [`partitioner`] hook, the custom-transport seam ([`Connector`]) and the process-wide
//! [`runtime()`]. Everything else is internal.
//!
//! Layers, bottom up, each depending only on those below it: `config`, `error` and `stats`
//! (windowed metric statistics); `protocol` (request codecs; framing and record batches come
//! from `ferrokafka-protocol`); `connection` (one broker socket); `cluster` (metadata and the
//! connection pool); `requests` (group, offset and metadata request helpers shared by the
//! clients); then the clients: `producer`, `consumer`, `admin`.
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod admin;
mod cluster;
pub mod config;
mod connection;
pub mod consumer;
pub mod error;
pub mod partitioner;
pub mod producer;
mod protocol;
mod random;
mod requests;
pub mod runtime;
mod stats;
pub mod types;

pub use admin::Admin;
pub use cluster::{BrokerInfo, Cluster};
pub use config::{ClientConfig, CompressionType};
pub use connection::{
    BoxTransport, ConnectFuture, Connector, RequestEvent, RequestObserver, RequestOutcome,
    TcpConnector, Transport,
};
pub use consumer::{
    BatchHeader, CloseMembership, Consumer, ConsumerMetrics, ConsumerRecord, OffsetAndMetadata,
    OffsetAndTimestamp, RebalanceListener, TimestampType,
};
pub use error::{Error, ErrorKind, Result};
pub use producer::{
    DeliveryFuture, IntoTopicName, MetricsSnapshot, Producer, ProducerOptions, ProducerRecord,
    RecordHeader, RecordMetadata,
};
pub use runtime::runtime;
pub use types::{PartitionInfo, TopicPartition};

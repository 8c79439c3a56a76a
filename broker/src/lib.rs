//! ferrokafka-broker: a single-node, Kafka-compatible broker that real Kafka clients and
//! Apache Kafka's own tools use unchanged.
//!
//! The crate is a library first: [`Broker::builder`] configures it with Kafka's setting names,
//! [`BrokerBuilder::start`] binds and returns a [`BrokerHandle`] with the bootstrap address and a
//! graceful shutdown. [`EmbeddedBroker`] does the same for callers without a tokio runtime (the
//! Node, Python and JVM bindings, the CLI): it owns its runtime and has a blocking `stop()`.
//! Modules:
//! - `builder`, `handle`, `embedded`, `data_dir`, `housekeeping`: starting, running and
//!   stopping a broker;
//! - `wire`, `server`: request decoding, the listeners and the per-connection loop;
//! - `context`: who sent a request (connection, listener, principal) and the authoriser seam;
//! - `handler`: one file per Kafka API, each given the request's context;
//! - `log`: per-partition segmented log (storage, recovery, retention, idempotence state);
//! - `coordinator`: consumer groups (classic protocol) and committed offsets;
//! - `topics`, `topic_config`, `partition`: topic registry, topic configs, partition locking;
//! - `security`: SASL (PLAIN, SCRAM), the SCRAM credential store, listener security settings;
//! - `config`: broker settings.

#![forbid(unsafe_code)]

mod builder;
pub mod config;
mod config_synonyms;
pub mod context;
pub mod coordinator;
mod data_dir;
mod durable;
mod embedded;
pub mod error;
pub mod group_config;
mod handle;
pub mod handler;
mod housekeeping;
pub mod log;
mod meta_properties;
pub mod partition;
mod producer_ids;
pub mod quotas;
pub mod response_out;
pub mod security;
pub mod server;
pub mod state;
pub mod topic_config;
pub mod topics;
pub mod wire;

pub use builder::{Broker, BrokerBuilder};
pub use config::BrokerConfig;
pub use embedded::EmbeddedBroker;
pub use error::BrokerError;
pub use handle::BrokerHandle;

pub use ferrokafka_protocol::now_ms;

//! ferrokafka-broker: a single-node, Kafka-compatible broker that real Kafka clients and
//! Apache Kafka's own tools use unchanged.
//!
//! The crate is a library first: `Broker::builder()...start()` returns a handle with the bound
//! bootstrap address and a graceful shutdown. Modules:
//! - `log`: per-partition segmented log (storage, recovery, retention, idempotence state);
//! - `coordinator`: consumer groups (classic protocol) and committed offsets;
//! - the server, configuration, topic metadata and one handler per Kafka API.

pub mod coordinator;
pub mod log;

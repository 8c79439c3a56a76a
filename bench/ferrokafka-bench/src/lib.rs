//! Perf tools for the ferrokafka core, shaped like Apache Kafka's `ProducerPerformance` and
//! `ConsumerPerformance` so `bench/core/producer_consumer.py` can run ours and Java's with the
//! same flags and compare their output.
//!
//! Owns argument parsing ([`args`]), latency statistics computed the way ProducerPerformance
//! computes them ([`stats`]) and payload generation ([`payload`]). It must not contain Kafka logic:
//! everything on the wire goes through `ferrokafka-core`.
#![forbid(unsafe_code)]

pub mod args;
pub mod payload;
pub mod stats;

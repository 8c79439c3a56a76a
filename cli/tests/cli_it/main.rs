//! The CLI's integration tests, one module per area, in one test binary. `kafka_parity` is
//! `#[ignore]`d here and run by the `cli-vs-kafka-tools` suite (it needs the Kafka jars).

mod common;
#[path = "../../../core/tests/core_it/secure/mod.rs"]
mod secure;

mod bad_input;
mod formats;
mod kafka_parity;
mod runbook;
mod security;

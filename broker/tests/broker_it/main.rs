//! The broker's integration tests, one module per area, in one test binary (one link instead
//! of one per file). `fetch_zero_copy` stays a binary of its own: it counts the process's file
//! descriptors and the global sendfile counter, which other tests would disturb.

mod common;

mod acl;
mod api;
mod bad_input;
mod describe_topic_partitions;
mod fetch_sessions;
mod idempotence;
mod listeners;
mod pipelined_responses;
mod sasl;
mod tls;
mod version_sweep;

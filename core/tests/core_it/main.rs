//! The core's integration tests, one module per area, in one test binary: one link, and one
//! broker (from `common`) shared by every test in the run.

mod common;
mod cross_client_java;
mod secure;

mod admin_ops;
mod admin_retries;
mod cluster;
mod consumer_assignor_vectors;
mod consumer_cooperative;
mod consumer_fetch_sessions;
mod consumer_group;
mod consumer_offsets;
mod consumer_subscriptions;
mod consumer_timeouts;
mod consumer_topics;
mod cross_client_groups;
mod cross_client_records;
mod failover;
mod idempotence_fake_broker;
mod partitioner_vectors;
mod producer;
mod producer_blocking;
mod producer_load;
mod request_events;
mod security;
mod security_misconfig;
mod security_tls_policy;

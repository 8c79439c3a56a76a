//! ferrokafka's Node.js addon (napi-rs): native producer, consumer and admin classes over
//! `ferrokafka-core`, and the bundled broker for `ferrokafka/testing`.
//!
//! Thin by design: each `#[napi]` method converts JS values, runs the core call on the core's
//! runtime (never on Node's event loop) and maps the error. The kafkajs idiom lives in the
//! TypeScript layer (`ts/`), not here. Records cross the boundary one batch per call.
#![deny(clippy::all)]

mod admin;
mod broker;
mod consumer;
mod convert;
mod error;
mod intake;
mod outgoing;
mod packed;
mod producer;
mod requests;

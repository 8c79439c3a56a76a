//! Waiting for core futures from a Java thread.
//!
//! Owns [`block`]: runs a future to completion on the calling (Java) thread with the core's
//! runtime entered, so core background tasks run on the runtime's workers. Nested calls (a Java
//! `ConsumerRebalanceListener` calling `commitSync` from inside `poll`) are allowed because the
//! inner wait steps out of the outer `block_on` with `block_in_place` first. No Java lock is
//! held here: the Java callers are not `synchronized` around native calls.

use std::future::Future;

/// Runs `fut` to completion on this thread.
pub fn block<F: Future>(fut: F) -> F::Output {
    // Outside any runtime `block_in_place` just calls the closure; inside the core runtime's
    // `block_on` (a nested call from a listener) it exits the runtime context so `block_on`
    // may be entered again.
    tokio::task::block_in_place(|| ferrokafka_core::runtime().block_on(fut))
}

//! Waiting on core futures from Python threads.
//!
//! Owns [`block_on`]: runs a core future on the core's runtime with the GIL released, driving
//! it from the calling thread (so rebalance callbacks the core invokes inside `poll` run on the
//! calling Python thread) and checking for Ctrl-C every 100 ms. It must not be called from a
//! core runtime thread.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;

use crate::errors;

enum Outcome<T> {
    Done(ferrokafka_core::Result<T>),
    Interrupted(PyErr),
}

/// Interval between checks for a pending signal (Ctrl-C) while waiting.
pub const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Waits for `fut` with the GIL released; a pending KeyboardInterrupt (or any signal handler
/// exception) cancels the wait and is raised.
pub fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = ferrokafka_core::Result<T>> + Send,
{
    let outcome = py.allow_threads(|| {
        ferrokafka_core::runtime().block_on(async move {
            tokio::pin!(fut);
            let mut tick = tokio::time::interval(SIGNAL_CHECK);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tokio::select! {
                    r = &mut fut => return Outcome::Done(r),
                    _ = tick.tick() => {
                        if let Err(e) = Python::with_gil(|py| py.check_signals()) {
                            return Outcome::Interrupted(e);
                        }
                    }
                }
            }
        })
    });
    match outcome {
        Outcome::Done(r) => errors::check(py, r),
        Outcome::Interrupted(e) => Err(e),
    }
}

/// Seconds from Python (`None` = no limit) as a `Duration`.
pub fn secs(timeout: Option<f64>) -> Option<Duration> {
    timeout.map(|s| Duration::from_secs_f64(s.clamp(0.0, 1.0e9)))
}

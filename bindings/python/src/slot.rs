//! A result that a core task fills in and Python threads wait on.
//!
//! Owns [`Slot`] (one outcome, a condition variable, and "watch" registration: a watched slot
//! reports its id to a shared completion list when it is filled, so the Python layer can run
//! callbacks on its own thread) and the GIL-free, Ctrl-C-aware wait on it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use pyo3::prelude::*;

use crate::wait::SIGNAL_CHECK;

/// Ids of watched slots that completed, drained by the Python layer.
#[derive(Default)]
pub struct CompletionQueue {
    ids: Mutex<Vec<u64>>,
    /// Whether `ids` has any (kept under its lock; read without it on every send).
    any: AtomicBool,
    cv: Condvar,
}

/// A shared [`CompletionQueue`].
pub type Completions = Arc<CompletionQueue>;

impl CompletionQueue {
    fn push(&self, id: u64) {
        let mut ids = lock(&self.ids);
        ids.push(id);
        self.any.store(true, Ordering::Release);
        drop(ids);
        self.cv.notify_all();
    }

    /// Whether no id is waiting to be drained.
    pub fn is_empty(&self) -> bool {
        !self.any.load(Ordering::Acquire)
    }

    /// Every id completed so far (possibly none).
    pub fn drain(&self) -> Vec<u64> {
        let mut ids = lock(&self.ids);
        self.any.store(false, Ordering::Release);
        std::mem::take(&mut *ids)
    }

    /// Waits (GIL released, at most `timeout`) until some id completed, then drains.
    pub fn wait_drain(&self, py: Python<'_>, timeout: std::time::Duration) -> Vec<u64> {
        py.allow_threads(|| {
            let ids = lock(&self.ids);
            let (mut ids, _) = self
                .cv
                .wait_timeout_while(ids, timeout, |ids| ids.is_empty())
                .unwrap_or_else(|p| p.into_inner());
            self.any.store(false, Ordering::Release);
            std::mem::take(&mut *ids)
        })
    }
}

struct State<T> {
    result: Option<ferrokafka_core::Result<T>>,
    watched: Option<(u64, Completions)>,
}

/// One pending outcome.
pub struct Slot<T> {
    state: Mutex<State<T>>,
    cv: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T> Slot<T> {
    pub fn new() -> Arc<Slot<T>> {
        Arc::new(Slot {
            state: Mutex::new(State {
                result: None,
                watched: None,
            }),
            cv: Condvar::new(),
        })
    }

    /// Stores the outcome, wakes waiters and reports a watched slot.
    pub fn set(&self, r: ferrokafka_core::Result<T>) {
        let mut st = lock(&self.state);
        st.result = Some(r);
        if let Some((id, done)) = st.watched.take() {
            done.push(id);
        }
        drop(st);
        self.cv.notify_all();
    }

    pub fn is_done(&self) -> bool {
        lock(&self.state).result.is_some()
    }

    /// Reports `id` to `done` when complete (at once if it already is).
    pub fn watch(&self, id: u64, done: &Completions) {
        let mut st = lock(&self.state);
        if st.result.is_some() {
            done.push(id);
        } else {
            st.watched = Some((id, done.clone()));
        }
    }

    /// A copy of the outcome, if complete.
    pub fn peek(&self) -> Option<ferrokafka_core::Result<T>>
    where
        T: Clone,
    {
        lock(&self.state).result.clone()
    }

    /// Waits until complete or `deadline`, with the GIL released, checking for Ctrl-C.
    /// Returns whether the slot is complete.
    pub fn wait(&self, py: Python<'_>, deadline: Option<Instant>) -> PyResult<bool>
    where
        T: Send,
    {
        if self.is_done() {
            return Ok(true);
        }
        py.allow_threads(|| loop {
            let mut st = lock(&self.state);
            loop {
                if st.result.is_some() {
                    return Ok(true);
                }
                let now = Instant::now();
                let step = match deadline {
                    Some(d) if d <= now => return Ok(false),
                    Some(d) => (d - now).min(SIGNAL_CHECK),
                    None => SIGNAL_CHECK,
                };
                let (g, timeout) = self
                    .cv
                    .wait_timeout(st, step)
                    .unwrap_or_else(|p| p.into_inner());
                st = g;
                if timeout.timed_out() {
                    break;
                }
            }
            drop(st);
            Python::with_gil(|py| py.check_signals())?;
        })
    }
}

//! Work `poll` starts but never waits for: a slot holding at most one spawned task whose
//! result the next poll picks up.
//!
//! Owns [`Slot`]: start a task when none runs, take its result once finished, abort it on
//! close or drop. A finished task wakes whoever waits on the consumer's [`Notify`], so a poll
//! waiting for records notices at once. It must not decide what the work is or how its
//! result is applied (that is [`super::reset`] and [`super::rebalance`]).

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// At most one background task producing a `T`, tagged with what it was started for.
pub(crate) struct Slot<T, Tag = ()> {
    task: Mutex<Option<(JoinHandle<T>, Tag)>>,
}

impl<T, Tag> Default for Slot<T, Tag> {
    fn default() -> Self {
        Slot {
            task: Mutex::new(None),
        }
    }
}

impl<T: Send + 'static, Tag> Slot<T, Tag> {
    fn lock(&self) -> MutexGuard<'_, Option<(JoinHandle<T>, Tag)>> {
        self.task.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a task is running (or finished and not yet taken).
    pub(crate) fn busy(&self) -> bool {
        self.lock().is_some()
    }

    /// Spawns `work` unless a task is already there; `wake` is notified when it finishes.
    pub(crate) fn start<F>(&self, tag: Tag, wake: &Arc<Notify>, work: F) -> bool
    where
        F: Future<Output = T> + Send + 'static,
    {
        let mut slot = self.lock();
        if slot.is_some() {
            return false;
        }
        let wake = wake.clone();
        let handle = crate::runtime::spawn(async move {
            let out = work.await;
            wake.notify_one();
            out
        });
        *slot = Some((handle, tag));
        true
    }

    /// The result of a finished task (`None` while it runs or when there is none).
    pub(crate) async fn take_finished(&self) -> Option<(Result<T>, Tag)> {
        let (handle, tag) = {
            let mut slot = self.lock();
            match slot.as_ref() {
                Some((h, _)) if h.is_finished() => slot.take()?,
                _ => return None,
            }
        };
        // Finished: this await returns at once.
        let out = handle.await.map_err(|e| {
            Error::internal(format!(
                "a consumer background task failed: {e}; poll again to retry"
            ))
        });
        Some((out, tag))
    }

    /// Cancels the task, if any (close, drop, a subscription change).
    pub(crate) fn abort(&self) {
        if let Some((h, _)) = self.lock().take() {
            h.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_task_at_a_time_and_its_result_once() {
        let slot: Slot<u32, &str> = Slot::default();
        let wake = Arc::new(Notify::new());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        assert!(slot.start("a", &wake, async move {
            let _ = rx.await;
            7
        }));
        assert!(!slot.start("b", &wake, async { 8 }), "one at a time");
        assert!(slot.take_finished().await.is_none(), "still running");
        tx.send(()).unwrap();
        wake.notified().await;
        let (out, tag) = slot.take_finished().await.expect("finished");
        assert_eq!((out.unwrap(), tag), (7, "a"));
        assert!(!slot.busy());
        assert!(slot.take_finished().await.is_none());
    }

    #[tokio::test]
    async fn abort_frees_the_slot() {
        let slot: Slot<u32> = Slot::default();
        let wake = Arc::new(Notify::new());
        slot.start((), &wake, std::future::pending());
        assert!(slot.busy());
        slot.abort();
        assert!(!slot.busy());
        assert!(slot.start((), &wake, async { 1 }));
    }
}

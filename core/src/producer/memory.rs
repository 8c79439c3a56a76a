//! `buffer.memory` accounting with `max.block.ms` backpressure.
//!
//! Owns the count of bytes held by unsent records, a non-blocking reservation for the fast
//! path, and an async wait (bounded by a deadline) for the slow path. It must not allocate the
//! buffers themselves.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::{Error, ErrorKind, Result};

/// The memory pool.
#[derive(Debug)]
pub struct BufferPool {
    limit: usize,
    /// An atomic, not a lock: every record reserves on the send path.
    used: AtomicUsize,
    waiters: AtomicUsize,
    freed: Notify,
}

impl BufferPool {
    pub fn new(limit: usize) -> BufferPool {
        BufferPool {
            limit,
            used: AtomicUsize::new(0),
            waiters: Default::default(),
            freed: Notify::new(),
        }
    }

    /// Total bytes allowed.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes currently reserved.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// Whether some sender is blocked waiting for memory (the sender then drains early).
    pub fn has_waiters(&self) -> bool {
        self.waiters.load(Ordering::Relaxed) > 0
    }

    /// Counts a caller waiting for room outside the pool (`Producer::wait_for_room`) as a
    /// waiter, so the sender drains early for it too; undone with [`BufferPool::waiter_done`].
    pub(crate) fn waiter_started(&self) {
        self.waiters.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn waiter_done(&self) {
        self.waiters.fetch_sub(1, Ordering::Relaxed);
    }

    /// Completes at the next release (or [`BufferPool::wake_waiters`]) after this call, even
    /// if polled later.
    pub(crate) fn released(&self) -> tokio::sync::futures::Notified<'_> {
        self.freed.notified()
    }

    /// Wakes every waiter to check again (room freed outside the pool, or the producer closed).
    pub(crate) fn wake_waiters(&self) {
        self.freed.notify_waiters();
    }

    /// Reserves `n` bytes if available right now.
    pub fn try_reserve(&self, n: usize) -> bool {
        // SeqCst with `release`'s update, so a waiter that checks after registering either sees
        // the released bytes or is notified.
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(n).filter(|t| *t <= self.limit)
            })
            .is_ok()
    }

    /// Reserves `n` bytes, waiting for releases until `deadline`.
    pub async fn reserve(&self, n: usize, deadline: Instant) -> Result<()> {
        if n > self.limit {
            return Err(Error::new(
                ErrorKind::RecordTooLarge,
                format!(
                    "record of {n} bytes is larger than buffer.memory ({}); raise buffer.memory",
                    self.limit
                ),
            ));
        }
        self.waiters.fetch_add(1, Ordering::Relaxed);
        let res = loop {
            // Created before the check: notify_waiters reaches it even before it is polled.
            let notified = self.freed.notified();
            if self.try_reserve(n) {
                break Ok(());
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                if self.try_reserve(n) {
                    break Ok(());
                }
                break Err(Error::new(
                    ErrorKind::BufferExhausted,
                    format!(
                        "could not get {n} bytes of buffer.memory ({} in use of {}) within max.block.ms; \
                         the brokers are slower than the send rate: raise buffer.memory or max.block.ms, \
                         or slow down",
                        self.used(),
                        self.limit
                    ),
                ));
            }
        };
        self.waiters.fetch_sub(1, Ordering::Relaxed);
        res
    }

    /// Returns `n` bytes to the pool.
    pub fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let _ = self
            .used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                Some(used.saturating_sub(n))
            });
        self.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn blocks_until_release_or_deadline() {
        let pool = Arc::new(BufferPool::new(100));
        assert!(pool.try_reserve(80));
        assert!(!pool.try_reserve(30));
        // Times out with a typed error when nothing is released.
        let e = pool
            .reserve(30, Instant::now() + Duration::from_millis(500))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BufferExhausted);
        // Succeeds once memory comes back.
        let p2 = pool.clone();
        let waiter = tokio::spawn(async move {
            p2.reserve(30, Instant::now() + Duration::from_secs(60))
                .await
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(pool.has_waiters());
        pool.release(50);
        waiter.await.unwrap().unwrap();
        assert_eq!(pool.used(), 60);
        assert_eq!(
            pool.reserve(101, Instant::now()).await.unwrap_err().kind(),
            ErrorKind::RecordTooLarge
        );
    }
}

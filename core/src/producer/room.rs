//! Waiting for room before a send, for callers that block as Java's `send()` does.
//!
//! Owns [`Producer::wait_for_room`] (async) and [`Producer::wait_for_room_blocking`] (for a
//! caller on its own thread), and the metadata half alone ([`Producer::wait_for_topic`],
//! [`Producer::partition_count`]) for clients whose `send` waits for metadata only: both room
//! waits return once the record's topic metadata is known and
//! `buffer.memory` holds it next to everything already reserved or queued, or fail with a typed
//! error at the deadline. Memory waits are woken by the pool's release notification, never by
//! polling; the check when there is room is two atomic loads plus a metadata lookup. `send`
//! itself never blocks: it queues what cannot go yet (intake.rs).

use std::sync::atomic::Ordering;
use tokio::time::Instant;

use super::{Producer, ProducerRecord, Shared};
use crate::error::{Error, ErrorKind, Result};

/// Undoes a waiter registration even if the wait is cancelled.
struct Waiting<'a>(&'a Shared);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.pool.waiter_done();
    }
}

impl Shared {
    /// Whether `size` more bytes fit in `buffer.memory` next to what is reserved and queued.
    fn has_room(&self, size: usize) -> bool {
        // Queued bytes first: a queued record moves to the pool by reserving before it leaves
        // the queue's count, so reading in this order never misses it (it may count it twice,
        // which only makes the caller wait for the next release).
        let queued = self.intake_bytes.load(Ordering::Acquire);
        queued + self.pool.used() + size <= self.pool.limit()
    }

    /// Waits for room for `size` bytes until `deadline`; `BufferExhausted` after it.
    async fn wait_for_memory(&self, size: usize, deadline: Instant) -> Result<()> {
        self.pool.waiter_started();
        let _waiting = Waiting(self);
        // Waiting means the buffer is full: let the sender send what it holds now rather than
        // after linger.ms (it drains early while the pool has waiters).
        self.acc.wake.notify_one();
        loop {
            // Created before the check: a release between the two still wakes it.
            let released = self.pool.released();
            if self.has_room(size) || self.closed.load(Ordering::Acquire) {
                return Ok(());
            }
            if tokio::time::timeout_at(deadline, released).await.is_err() {
                if self.has_room(size) {
                    return Ok(());
                }
                self.metrics.records_failed(1);
                let (queued, used) = (self.intake_bytes.load(Ordering::Acquire), self.pool.used());
                return Err(Error::new(
                    ErrorKind::BufferExhausted,
                    format!(
                        "no room for a record of {size} bytes in buffer.memory ({} bytes: {used} in \
                         use, {queued} queued) by the deadline (max.block.ms for a blocking send); \
                         the brokers are slower than the send rate: raise buffer.memory or \
                         max.block.ms, or slow down",
                        self.pool.limit()
                    ),
                ));
            }
        }
    }
}

impl Producer {
    /// Waits until `record` can be sent without waiting inside the producer: its topic's
    /// metadata is known (with its explicit partition, which Java's `send()` also waits for)
    /// and `buffer.memory` has room for it next to every record already
    /// buffered or queued. Fails at `deadline` with [`ErrorKind::Timeout`] (metadata) or
    /// [`ErrorKind::BufferExhausted`] (memory), counted in `record-error-total`, as Java's
    /// `send()` fails after `max.block.ms`; other metadata errors (an invalid or unauthorized
    /// topic) come back at once. Returns `Ok` at once for a closed producer or a record too
    /// large to ever fit: `send` reports those.
    ///
    /// `send` never blocks; calling this first makes a sender wait for the brokers instead
    /// of queueing without bound. Concurrent callers may each see the same room, so the total
    /// can exceed `buffer.memory` by at most one record per caller.
    pub async fn wait_for_room(&self, record: &ProducerRecord, deadline: Instant) -> Result<()> {
        let s = &self.inner.shared;
        let size = record.estimated_size();
        if s.closed.load(Ordering::Acquire) || size > s.pool.limit() {
            return Ok(());
        }
        let metadata = match record.partition {
            Some(p) if p >= 0 => self.wait_for_partition(&record.topic, p, deadline).await,
            _ => self.wait_for_topic(&record.topic, deadline).await,
        };
        if let Err(e) = metadata {
            s.metrics.records_failed(1);
            return Err(e);
        }
        if s.has_room(size) {
            return Ok(());
        }
        s.wait_for_memory(size, deadline).await
    }

    /// The partition count of `topic` when its metadata is known and usable right now (what
    /// `send` needs to append a record at once); `None` before that.
    pub fn partition_count(&self, topic: &str) -> Option<usize> {
        self.inner
            .shared
            .ready_topic(topic)
            .map(|m| m.partitions.len())
    }

    /// Waits until `topic`'s metadata is known, fetching it, and returns its partition count:
    /// what kafka-python's and aiokafka's `send` wait for first. Fails with
    /// [`ErrorKind::Timeout`] at `deadline` (the topic does not exist and is not auto-created,
    /// or no broker answers), and at once with the topic's own error when waiting cannot heal
    /// it (an unauthorized or invalid topic) or with [`ErrorKind::Authentication`].
    pub async fn wait_for_topic(&self, topic: &str, deadline: Instant) -> Result<usize> {
        let s = &self.inner.shared;
        if let Some(m) = s.ready_topic(topic) {
            return Ok(m.partitions.len());
        }
        // Bounded here too: a metadata request to a broker that does not answer would
        // otherwise hold the caller for request.timeout.ms.
        tokio::time::timeout_at(deadline, s.cluster.topic(topic, deadline))
            .await
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "topic {topic} not present in metadata by the deadline (max.block.ms for \
                         a blocking send); check that the brokers are reachable and the topic \
                         exists"
                    ),
                ))
            })
            .map(|m| m.partitions.len())
    }

    /// [`Producer::wait_for_topic`] until the topic also has `partition`, refreshing metadata
    /// every `retry.backoff.ms` (a partition added meanwhile is found), as Java's `send()`
    /// waits for an explicit partition. Returns the partition count; at `deadline`,
    /// [`ErrorKind::Timeout`] naming the partition and the count seen.
    pub async fn wait_for_partition(
        &self,
        topic: &str,
        partition: i32,
        deadline: Instant,
    ) -> Result<usize> {
        let s = &self.inner.shared;
        loop {
            let count = self.wait_for_topic(topic, deadline).await?;
            if usize::try_from(partition).is_ok_and(|p| p < count) {
                return Ok(count);
            }
            if Instant::now() >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "partition {partition} of topic {topic} (partition count {count}) not \
                         present in metadata by the deadline; send to an existing partition or \
                         add partitions to the topic"
                    ),
                ));
            }
            let next = (Instant::now() + s.cfg.common.retry_backoff).min(deadline);
            tokio::time::sleep_until(next).await;
            if let Ok(Err(e)) = tokio::time::timeout_at(deadline, s.cluster.refresh()).await {
                tracing::debug!(topic, error = %e, "metadata refresh failed while waiting for a partition");
            }
        }
    }

    /// [`Producer::wait_for_room`] on the calling thread, bounded by `max.block.ms` as Java's
    /// `send()` is. Returns without leaving the thread when there is room; otherwise it
    /// blocks this thread (a runtime worker hands its other tasks off first), so use the async
    /// form from async code.
    pub fn wait_for_room_blocking(&self, record: &ProducerRecord) -> Result<()> {
        let s = &self.inner.shared;
        let known = s.ready_topic(&record.topic).is_some_and(|m| {
            record
                .partition
                .is_none_or(|p| usize::try_from(p).is_ok_and(|p| p < m.partitions.len()))
        });
        if known && s.has_room(record.estimated_size()) {
            return Ok(());
        }
        let deadline = Instant::now() + s.cfg.producer.max_block;
        tokio::task::block_in_place(|| {
            crate::runtime::runtime().block_on(self.wait_for_room(record, deadline))
        })
    }
}

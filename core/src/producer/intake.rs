//! The ordered intake queue: records sent while their topic's metadata or `buffer.memory` was
//! not available, or sent behind such records.
//!
//! Owns queueing a record behind earlier ones, appending queued records in send order as soon
//! as they can go (from `send` itself, a bounded number per call, and from the intake task),
//! and the intake task, which waits for the head record's metadata and memory up to its
//! `max.block.ms` deadline and fails it when that passes. Every append of a queued record, and
//! of a record sent while the queue is not empty, happens under the queue's lock in queue
//! order, so sends from one task keep their order.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

use super::delivery::{DeliveryFuture, Forward};
use super::record::ProducerRecord;
use super::Shared;
use crate::error::{Error, ErrorKind};

/// Queued records a `send` appends before its own (bounds the time one call spends).
const SEND_DRAIN_MAX: usize = 64;
/// Queued records the intake task appends per hold of the lock.
const TASK_DRAIN_MAX: usize = 512;

struct IntakeItem {
    record: ProducerRecord,
    tx: Forward,
    size: usize,
    deadline: Instant,
    /// The intake task is waiting for this (head) record's metadata and memory: only the task
    /// takes it off the queue.
    claimed: bool,
}

#[derive(Default)]
struct Queue {
    items: VecDeque<IntakeItem>,
    /// The intake task ended (the producer closed): nothing is queued any more.
    stopped: bool,
}

/// The queue and the intake task's wakeup.
#[derive(Default)]
pub(super) struct Intake {
    queue: Mutex<Queue>,
    wake: Notify,
}

impl Intake {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes the intake task (new record, close).
    pub(super) fn wake(&self) {
        self.wake.notify_one();
    }
}

impl Shared {
    /// `send` when the intake queue is not empty (or the record cannot go right now): appends
    /// what is queued and ready first, then the record itself if nothing is left before it,
    /// else queues it.
    pub(super) fn send_queued(&self, record: ProducerRecord, size: usize) -> DeliveryFuture {
        let mut q = self.intake.lock();
        if q.stopped {
            return DeliveryFuture::ready(Err(Error::new(
                ErrorKind::Closed,
                "the producer is shutting down",
            )));
        }
        self.drain_ready(&mut q, SEND_DRAIN_MAX);
        if q.items.is_empty() {
            if let Some(f) = self.try_append_now(&record, size) {
                return f;
            }
        }
        let (tx, rx) = oneshot::channel();
        self.intake_pending.fetch_add(1, Ordering::AcqRel);
        self.intake_bytes.fetch_add(size, Ordering::AcqRel);
        q.items.push_back(IntakeItem {
            record,
            tx,
            size,
            deadline: Instant::now() + self.cfg.producer.max_block,
            claimed: false,
        });
        drop(q);
        self.intake.wake();
        DeliveryFuture::waiting(rx)
    }

    /// Appends up to `max` queued records from the head while their topic is known and memory
    /// is free, stopping at a record the intake task claimed. True when it stopped at `max`
    /// with records left (more may be ready).
    fn drain_ready(&self, q: &mut Queue, max: usize) -> bool {
        for _ in 0..max {
            let Some(head) = q.items.front() else {
                return false;
            };
            if head.claimed {
                return false;
            }
            let Some(meta) = self.ready_topic(&head.record.topic) else {
                return false;
            };
            if !self.pool.try_reserve(head.size) {
                return false;
            }
            if let Some(item) = q.items.pop_front() {
                self.append_queued(item, Ok(meta));
            }
        }
        !q.items.is_empty()
    }

    /// Appends (or fails) a record taken off the queue, its memory reserved when `meta` is
    /// `Ok`. Called with the queue locked.
    fn append_queued(
        &self,
        item: IntakeItem,
        meta: crate::error::Result<Arc<crate::cluster::TopicMetadata>>,
    ) {
        let IntakeItem {
            record, tx, size, ..
        } = item;
        // Reserved in the pool now (or failed): no longer counted as waiting.
        self.intake_bytes.fetch_sub(size, Ordering::AcqRel);
        match meta {
            Ok(meta) => {
                // Only internal errors get here; the record's future then reports Closed.
                if let Err(e) = self.append(&record, &meta, size, Some(tx)) {
                    tracing::warn!(error = %e, "append failed");
                }
            }
            Err(e) => {
                self.metrics.records_failed(1);
                let _ = tx.send(Err(e));
                // Its queued bytes are gone without a release: callers waiting for room see it.
                self.pool.wake_waiters();
            }
        }
        // Counted until appended, so a later send of the same task cannot overtake it.
        if self.intake_pending.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.intake_idle.notify_waiters();
        }
    }
}

/// Appends queued records as they become ready; waits for the head record's metadata and
/// memory when it cannot go. Ends once the producer is closed and the queue is empty.
pub(super) async fn intake_task(shared: Arc<Shared>) {
    loop {
        let woken = shared.intake.wake.notified();
        let head = {
            let mut q = shared.intake.lock();
            let bound = shared.drain_ready(&mut q, TASK_DRAIN_MAX);
            match q.items.front_mut() {
                None if shared.closed.load(Ordering::Acquire) => {
                    q.stopped = true;
                    return;
                }
                None => None,
                // More may be ready: let sends (and others) at the lock before the next round.
                Some(_) if bound => Some(None),
                Some(h) => {
                    h.claimed = true;
                    Some(Some((h.record.topic.clone(), h.size, h.deadline)))
                }
            }
        };
        match head {
            None => woken.await,
            Some(None) => tokio::task::yield_now().await,
            Some(Some((topic, size, deadline))) => {
                let res = async {
                    let meta = shared.cluster.topic(&topic, deadline).await?;
                    shared.pool.reserve(size, deadline).await?;
                    Ok::<_, Error>(meta)
                }
                .await;
                let mut q = shared.intake.lock();
                match q.items.pop_front() {
                    Some(item) => shared.append_queued(item, res),
                    None => {
                        tracing::warn!("the claimed intake record was gone");
                        if res.is_ok() {
                            shared.pool.release(size);
                        }
                    }
                }
            }
        }
    }
}

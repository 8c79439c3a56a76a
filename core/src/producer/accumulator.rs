//! The record accumulator: per-partition queues of batches waiting to be sent.
//!
//! Owns appending records to the open batch of their partition (a new batch when `batch.size`
//! is reached), deciding which head batches are ready (full, `linger.ms` elapsed, flush, close,
//! memory pressure, retry backoff over), draining them per leader broker within
//! `max.request.size`, idempotent sequence assignment, putting retried batches back in order,
//! and expiring batches past `delivery.timeout.ms`. It must not do I/O.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::BuildHasherDefault;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::batch::ProducerBatch;
use super::delivery::{DeliveryFuture, Forward};
use crate::error::Result;
use crate::protocol::Compression;
use crate::protocol::RecordHeader;
use crate::types::TopicPartition;

/// Settings the accumulator needs.
#[derive(Debug, Clone)]
pub struct AccumulatorConfig {
    pub batch_size: usize,
    pub linger: Duration,
    pub compression: Compression,
    pub max_request_size: usize,
    pub max_in_flight: usize,
    pub idempotent: bool,
}

/// Kafka's sequence arithmetic: wraps from `i32::MAX` to 0.
pub fn increment_sequence(seq: i32, by: i32) -> i32 {
    if seq > i32::MAX - by {
        by - (i32::MAX - seq) - 1
    } else {
        seq + by
    }
}

/// Whether sequence `a` comes after `b` in Kafka's wrapping sequence space (less than half of
/// the space ahead).
pub fn sequence_after(a: i32, b: i32) -> bool {
    let ahead = (i64::from(a) - i64::from(b)).rem_euclid(1 << 31);
    ahead != 0 && ahead < (1 << 30)
}

/// Per-partition queue and idempotence bookkeeping.
#[derive(Debug, Default)]
pub struct PartitionQueue {
    pub batches: VecDeque<ProducerBatch>,
    /// Batches of this partition in flight.
    pub in_flight: usize,
    /// Sequence right after the last batch put in flight.
    pub inflight_seq_end: Option<i32>,
    /// Next sequence to assign.
    pub next_sequence: i32,
    /// Last sequence the broker acknowledged (-1: none).
    pub last_acked: i32,
}

/// The per-partition queues, looked up once per record: a fast non-keyed hash (the keys are the
/// application's own topic names, not input from the network).
pub type QueueMap =
    HashMap<TopicPartition, PartitionQueue, BuildHasherDefault<rustc_hash::FxHasher>>;

/// Everything behind the accumulator's lock.
#[derive(Debug, Default)]
pub struct AccState {
    pub queues: QueueMap,
    pub flushing: usize,
    pub closing: bool,
    next_batch_id: u64,
    /// Ids of batches not completed yet (for flush).
    pub incomplete: BTreeSet<u64>,
}

impl AccState {
    fn queue(&mut self, tp: &TopicPartition) -> &mut PartitionQueue {
        self.queues
            .entry(tp.clone())
            .or_insert_with(|| PartitionQueue {
                last_acked: -1,
                ..Default::default()
            })
    }

    /// Id the next batch will get (flush waits for all ids below it).
    pub fn next_batch_id(&self) -> u64 {
        self.next_batch_id
    }

    /// Whether any batch is queued or in flight.
    pub fn is_empty(&self) -> bool {
        self.incomplete.is_empty()
    }
}

/// What an append did, for the sticky partitioner and the sender wakeup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    /// A new batch had to be started (the previous one is closed).
    pub new_batch: bool,
    /// The batch reached `batch.size`.
    pub batch_full: bool,
    /// The partition the record went to (another one than asked when the sticky choice moved).
    pub partition: i32,
    /// The sticky choice moved: the asked partition's open batch was closed first.
    pub switched: bool,
}

/// One record as the accumulator appends it (CreateTime already chosen).
#[derive(Debug, Clone, Copy)]
pub struct AppendRecord<'a> {
    pub timestamp: i64,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: &'a [RecordHeader],
}

/// The result of one drain.
#[derive(Debug, Default)]
pub struct Drain {
    pub per_broker: HashMap<i32, Vec<ProducerBatch>>,
    /// When something not ready now becomes ready (linger or backoff).
    pub next_wakeup: Option<Instant>,
    /// Some ready partition has no known leader (metadata refresh needed).
    pub unknown_leader: bool,
    /// Ready batches were left behind for size or in-flight limits.
    pub more: bool,
}

/// The accumulator.
pub struct Accumulator {
    pub cfg: AccumulatorConfig,
    state: Mutex<AccState>,
    /// Wakes the sender (new batch, full batch, flush, close).
    pub wake: Notify,
    /// Signalled whenever a batch completes (flush waits on it).
    pub completed: Notify,
}

fn earliest(a: Option<Instant>, b: Instant) -> Option<Instant> {
    Some(a.map_or(b, |a| a.min(b)))
}

impl Accumulator {
    pub fn new(cfg: AccumulatorConfig) -> Accumulator {
        Accumulator {
            cfg,
            state: Mutex::new(AccState::default()),
            wake: Notify::new(),
            completed: Notify::new(),
        }
    }

    /// The locked state (never held across an await).
    pub fn lock(&self) -> MutexGuard<'_, AccState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a record to its partition's open batch under one lock. When the record would
    /// not go into `tp`'s open batch, `switch` is asked first for another partition of the same
    /// topic (the sticky partitioner moving on): `tp`'s open batch is then closed, so it is sent
    /// without waiting for `linger.ms`, and the record goes to the partition `switch` named.
    /// `now` is read only when a batch is created (its linger starts then). The record's
    /// result goes to `forward` when given, else to the returned future.
    pub(crate) fn append_with(
        &self,
        tp: &TopicPartition,
        record: &AppendRecord<'_>,
        reserved: usize,
        forward: Option<Forward>,
        switch: impl FnOnce() -> Option<i32>,
        now: impl FnOnce() -> Instant,
    ) -> Result<(AppendOutcome, Option<DeliveryFuture>)> {
        let AppendRecord {
            timestamp,
            key,
            value,
            headers,
        } = *record;
        let batch_size = self.cfg.batch_size;
        let mut st = self.lock();
        let id = st.next_batch_id;
        // The common case, with one lookup: the record goes into `tp`'s open batch.
        if let Some(batch) = st
            .queues
            .get_mut(tp)
            .and_then(|q| q.batches.back_mut())
            .filter(|b| b.fits(timestamp, key, value, headers, batch_size))
        {
            let future = batch.append(timestamp, key, value, headers, reserved, forward)?;
            let batch_full = batch.size() >= batch_size;
            if batch_full {
                batch.closed = true;
            }
            let out = AppendOutcome {
                new_batch: false,
                batch_full,
                partition: tp.partition,
                switched: false,
            };
            return Ok((out, future));
        }
        // It does not fit `tp`'s open batch: the sticky choice may move on first.
        let mut switched_tp = None;
        if let Some(p) = switch().filter(|p| *p != tp.partition) {
            if let Some(b) = st.queues.get_mut(tp).and_then(|q| q.batches.back_mut()) {
                b.closed = true;
            }
            switched_tp = Some(TopicPartition::new(tp.topic.clone(), p));
        }
        let switched = switched_tp.is_some();
        let tp = switched_tp.as_ref().unwrap_or(tp);
        let q = st.queue(tp);
        // Only the partition switched to may still have an open batch the record fits.
        let fits = switched
            && q.batches
                .back()
                .is_some_and(|b| b.fits(timestamp, key, value, headers, batch_size));
        let mut new_batch = false;
        if !fits {
            if let Some(last) = q.batches.back_mut() {
                last.closed = true;
            }
            let cap = batch_size.max(crate::protocol::estimate_record_size(key, value, headers));
            q.batches
                .push_back(ProducerBatch::new(id, tp.clone(), cap, now()));
            new_batch = true;
        }
        let batch = q
            .batches
            .back_mut()
            .ok_or_else(|| crate::Error::internal("no open batch"))?;
        let future = batch.append(timestamp, key, value, headers, reserved, forward)?;
        let batch_full = batch.size() >= batch_size;
        if batch_full {
            batch.closed = true;
        }
        if new_batch {
            st.next_batch_id += 1;
            st.incomplete.insert(id);
        }
        let out = AppendOutcome {
            new_batch,
            batch_full,
            partition: tp.partition,
            switched,
        };
        Ok((out, future))
    }

    /// Takes the ready batches, grouped by leader. `leader_of` maps a partition to its leader,
    /// `broker_ready` says whether a broker can take another request now, `producer` is the
    /// current producer id and epoch when idempotent.
    pub fn drain(
        &self,
        now: Instant,
        memory_pressure: bool,
        leader_of: impl Fn(&TopicPartition) -> Option<i32>,
        broker_ready: impl Fn(i32) -> bool,
        producer: Option<(i64, i16)>,
    ) -> Result<Drain> {
        let cfg = &self.cfg;
        let mut st = self.lock();
        let force = st.flushing > 0 || st.closing || memory_pressure;
        let mut out = Drain::default();
        let mut sizes: HashMap<i32, usize> = HashMap::new();
        for q in st.queues.values_mut() {
            let Some(head) = q.batches.front() else {
                continue;
            };
            if q.in_flight >= cfg.max_in_flight {
                out.more = true;
                continue;
            }
            // A broker accepts any first sequence from a producer id it has no state for, so
            // while nothing of this partition is acknowledged under the current id, a later
            // batch could be written although an earlier one failed (e.g. NOT_LEADER right
            // after the topic was created): the log would be out of order. One batch at a time
            // until the first acknowledgement; after it the broker enforces the sequence.
            if cfg.idempotent && q.in_flight > 0 && q.last_acked < 0 {
                continue;
            }
            if let Some(t) = head.retry_at.filter(|t| *t > now) {
                out.next_wakeup = earliest(out.next_wakeup, t);
                continue;
            }
            // A retried batch goes out only right after what is in flight, so sequences stay
            // in order on the wire.
            if let Some((_, _, seq)) = head.stamp {
                if cfg.idempotent && q.in_flight > 0 && q.inflight_seq_end != Some(seq) {
                    continue;
                }
            }
            let linger_done = head.created + cfg.linger;
            let ready = force
                || head.closed
                || q.batches.len() > 1
                || head.size() >= cfg.batch_size
                || head.attempts > 0
                || now >= linger_done;
            if !ready {
                out.next_wakeup = earliest(out.next_wakeup, linger_done);
                continue;
            }
            let Some(leader) = leader_of(&head.tp) else {
                out.unknown_leader = true;
                continue;
            };
            if !broker_ready(leader) {
                out.more = true;
                continue;
            }
            let len = head.wire_size();
            let used = sizes.entry(leader).or_insert(0);
            if *used > 0 && *used + len > cfg.max_request_size {
                // Does not fit this request: it goes in the next one.
                out.more = true;
                continue;
            }
            *used += len;
            let Some(mut batch) = q.batches.pop_front() else {
                continue;
            };
            batch.closed = true;
            if let (true, Some((pid, epoch))) = (cfg.idempotent, producer) {
                let seq = match batch.stamp {
                    Some((p, e, s)) if p == pid && e == epoch => s,
                    _ => {
                        let s = q.next_sequence;
                        q.next_sequence = increment_sequence(s, batch.record_count());
                        s
                    }
                };
                batch.stamp = Some((pid, epoch, seq));
                q.inflight_seq_end = Some(increment_sequence(seq, batch.record_count()));
            }
            q.in_flight += 1;
            // One batch per partition per request: what is behind it goes in the next one,
            // right away (the sender loops while it dispatches and `more` is set).
            out.more |= !q.batches.is_empty();
            out.per_broker.entry(leader).or_default().push(batch);
        }
        drop(st);
        // Compression happens here, outside the lock, so appends never wait for it.
        for batches in out.per_broker.values_mut() {
            for b in batches.iter_mut() {
                b.finish(cfg.compression)?;
            }
        }
        Ok(out)
    }

    /// A batch was acknowledged: updates sequences and in-flight counts. The caller completes it.
    pub fn on_done(&self, batch: &ProducerBatch, acked: bool) {
        let mut st = self.lock();
        st.incomplete.remove(&batch.id);
        let q = st.queue(&batch.tp);
        q.in_flight = q.in_flight.saturating_sub(1);
        if q.in_flight == 0 {
            q.inflight_seq_end = None;
        }
        if let (true, Some((_, _, seq))) = (acked, batch.stamp) {
            // Responses are settled by concurrent tasks: never move backwards.
            let last = increment_sequence(seq, batch.record_count() - 1);
            if q.last_acked < 0 || sequence_after(last, q.last_acked) {
                q.last_acked = last;
            }
        }
        drop(st);
        self.completed.notify_waiters();
    }

    /// Puts a batch back for a retry, in order (by creation) ahead of newer batches.
    pub fn reenqueue(&self, mut batch: ProducerBatch, retry_at: Instant) {
        let mut st = self.lock();
        let q = st.queue(&batch.tp);
        q.in_flight = q.in_flight.saturating_sub(1);
        if q.in_flight == 0 {
            q.inflight_seq_end = None;
        }
        batch.retry_at = Some(retry_at);
        let pos = q
            .batches
            .iter()
            .position(|b| b.id > batch.id)
            .unwrap_or(q.batches.len());
        q.batches.insert(pos, batch);
        drop(st);
        self.wake.notify_one();
    }

    /// The last acknowledged sequence of a partition.
    pub fn last_acked(&self, tp: &TopicPartition) -> i32 {
        self.lock().queues.get(tp).map_or(-1, |q| q.last_acked)
    }

    /// Removes queued batches older than `timeout` (from the front of each queue). Returns them
    /// and whether any had been sent before (its outcome is unknown, so sequences must reset).
    pub fn expire(&self, now: Instant, timeout: Duration) -> (Vec<ProducerBatch>, bool) {
        let mut st = self.lock();
        let mut expired = Vec::new();
        let mut unresolved = false;
        for q in st.queues.values_mut() {
            while q
                .batches
                .front()
                .is_some_and(|b| now >= b.created + timeout)
            {
                if let Some(b) = q.batches.pop_front() {
                    unresolved |= b.stamp.is_some() && b.attempts > 0;
                    expired.push(b);
                }
            }
        }
        for b in &expired {
            st.incomplete.remove(&b.id);
        }
        drop(st);
        if !expired.is_empty() {
            self.completed.notify_waiters();
        }
        (expired, unresolved)
    }

    /// After a producer epoch bump: every partition restarts at sequence 0 and queued batches
    /// are re-stamped when drained.
    pub fn reset_sequences(&self) {
        let mut st = self.lock();
        for q in st.queues.values_mut() {
            q.next_sequence = 0;
            q.last_acked = -1;
            q.inflight_seq_end = None;
            for b in q.batches.iter_mut() {
                b.stamp = None;
            }
        }
    }

    /// Removes every queued batch (close without drain, fatal errors).
    pub fn take_all(&self) -> Vec<ProducerBatch> {
        let mut st = self.lock();
        let mut all = Vec::new();
        for q in st.queues.values_mut() {
            all.extend(q.batches.drain(..));
        }
        for b in &all {
            st.incomplete.remove(&b.id);
        }
        drop(st);
        self.completed.notify_waiters();
        all
    }

    /// Batches queued or in flight.
    pub fn incomplete_count(&self) -> usize {
        self.lock().incomplete.len()
    }

    /// Whether every batch with an id below `target` has completed.
    pub fn flushed_below(&self, target: u64) -> bool {
        self.lock()
            .incomplete
            .first()
            .is_none_or(|first| *first >= target)
    }
}

#[cfg(test)]
mod tests;

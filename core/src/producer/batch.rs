//! One producer batch: records for one partition, their shared completion, and retry state.
//!
//! Owns appending to the open batch, finishing (compressing) it once, stamping idempotence
//! fields, and completing every record's [`DeliveryFuture`](super::DeliveryFuture) with its
//! offset or an error (one shared completion per batch, see delivery.rs). It must not decide
//! readiness or retries (accumulator and sender do).

use tokio::time::Instant;

use super::delivery::{record_result, BatchAck, BatchDone, Completion, DeliveryFuture, Forward};
use crate::error::{Error, Result};
use crate::protocol::Compression;
use crate::protocol::{BatchBuilder, FinishedBatch, RecordHeader};
use crate::types::TopicPartition;

/// A record that was handed its future before it had a batch (it waited in the intake queue).
struct Forwarded {
    tx: Forward,
    offset_delta: i32,
    timestamp: i64,
}

/// A batch of records for one partition.
pub struct ProducerBatch {
    pub id: u64,
    pub tp: TopicPartition,
    builder: BatchBuilder,
    finished: Option<FinishedBatch>,
    finished_stamp: Option<(i64, i16, i32)>,
    /// The outcome every record's future reads (fails them with Closed if the batch is dropped).
    done: Completion,
    forwarded: Vec<Forwarded>,
    pub created: Instant,
    /// Send attempts so far.
    pub attempts: u32,
    /// Not sendable before this instant (retry backoff).
    pub retry_at: Option<Instant>,
    /// Bytes of `buffer.memory` held.
    pub reserved: usize,
    /// No more appends (full, or drained once).
    pub closed: bool,
    /// Producer id, epoch and base sequence stamped on the batch (idempotence).
    pub stamp: Option<(i64, i16, i32)>,
}

impl std::fmt::Debug for ProducerBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProducerBatch")
            .field("id", &self.id)
            .field("tp", &self.tp)
            .field("records", &self.record_count())
            .field("attempts", &self.attempts)
            .field("stamp", &self.stamp)
            .finish()
    }
}

impl ProducerBatch {
    pub fn new(id: u64, tp: TopicPartition, capacity: usize, now: Instant) -> ProducerBatch {
        let done = Completion(BatchDone::new(tp.topic.clone(), tp.partition));
        ProducerBatch {
            id,
            tp,
            builder: BatchBuilder::new(capacity),
            finished: None,
            finished_stamp: None,
            done,
            forwarded: Vec::new(),
            created: now,
            attempts: 0,
            retry_at: None,
            reserved: 0,
            closed: false,
            stamp: None,
        }
    }

    pub fn record_count(&self) -> i32 {
        self.builder.record_count()
    }

    /// Uncompressed size so far, header included (the finished batch keeps it: finishing an
    /// uncompressed batch takes the builder's bytes).
    pub fn size(&self) -> usize {
        self.finished
            .as_ref()
            .map_or_else(|| self.builder.size(), |f| f.uncompressed_size)
    }

    /// Whether a record of this shape fits in `limit` bytes (an empty batch takes anything).
    pub fn fits(
        &self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[RecordHeader],
        limit: usize,
    ) -> bool {
        !self.closed
            && (self.record_count() == 0
                || self.size() + self.builder.record_size(timestamp, key, value, headers) <= limit)
    }

    /// Appends one record. Its result goes to `forward` when given (a record that already
    /// has a future); otherwise the returned future reads it from the batch's completion.
    pub(crate) fn append(
        &mut self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[RecordHeader],
        reserved: usize,
        forward: Option<Forward>,
    ) -> Result<Option<DeliveryFuture>> {
        let offset_delta = self.builder.append(timestamp, key, value, headers)?;
        self.reserved += reserved;
        Ok(match forward {
            Some(tx) => {
                self.forwarded.push(Forwarded {
                    tx,
                    offset_delta,
                    timestamp,
                });
                None
            }
            None => Some(DeliveryFuture::in_batch(
                self.done.0.clone(),
                offset_delta,
                timestamp,
            )),
        })
    }

    /// Finishes the batch (compressing it) if not done yet, and writes [`stamp`](Self::stamp)
    /// (producer id, epoch, base sequence) into it. Called outside the accumulator's lock.
    pub fn finish(&mut self, compression: Compression) -> Result<&FinishedBatch> {
        self.closed = true;
        let (pid, epoch, seq) = self.stamp.unwrap_or((-1, -1, -1));
        match self.finished.as_mut() {
            None => {
                self.finished = Some(self.builder.finish_in_place(compression, pid, epoch, seq)?)
            }
            Some(f) if self.finished_stamp != self.stamp => f.restamp(pid, epoch, seq),
            Some(_) => {}
        }
        self.finished_stamp = self.stamp;
        self.finished
            .as_ref()
            .ok_or_else(|| Error::internal("batch finished without bytes"))
    }

    /// Bytes this batch takes in a request: the finished size, or the uncompressed size before.
    pub fn wire_size(&self) -> usize {
        self.finished
            .as_ref()
            .map_or_else(|| self.size(), FinishedBatch::len)
    }

    /// The finished bytes (after [`finish`](Self::finish)).
    pub fn finished(&self) -> Option<&FinishedBatch> {
        self.finished.as_ref()
    }

    /// Completes every record: offset `base_offset + delta`, timestamp from the broker when it
    /// uses LogAppendTime (`log_append_time != -1`); `log_start_offset` as the broker reported
    /// it (-1: not reported).
    pub fn complete(self, base_offset: i64, log_append_time: i64, log_start_offset: i64) {
        self.settle(Ok(BatchAck {
            base_offset,
            log_append_time,
            log_start_offset,
        }));
    }

    /// Fails every record with `err`.
    pub fn fail(self, err: &Error) {
        self.settle(Err(err.clone()));
    }

    fn settle(mut self, res: Result<BatchAck>) {
        for f in std::mem::take(&mut self.forwarded) {
            let _ = f.tx.send(record_result(
                &res,
                &self.tp.topic,
                self.tp.partition,
                f.offset_delta,
                f.timestamp,
            ));
        }
        self.done.0.set(res);
    }
}

//! Delivery results: how a record's [`DeliveryFuture`] learns its outcome.
//!
//! Owns [`DeliveryFuture`] and the one completion a batch shares among its records
//! ([`BatchDone`]: the batch's base offset / LogAppendTime or its error, set once, plus the
//! wakers of futures polled before that). A record appended straight into a batch gets a future
//! that is the batch's `Arc` plus its offset delta and CreateTime: nothing is allocated per
//! record. A record that waited in the intake queue got its future before it had a batch, so it
//! is told through a oneshot channel (`Forward`) the batch completes alongside.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};

use tokio::sync::oneshot;

use super::record::RecordMetadata;
use crate::error::{Error, ErrorKind, Result};

/// Where a record that got its future before its batch existed is told the result.
pub(crate) type Forward = oneshot::Sender<Result<RecordMetadata>>;

/// The broker's answer for a whole batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchAck {
    /// Offset of the batch's first record, or -1 with `acks=0`.
    pub base_offset: i64,
    /// LogAppendTime when the topic uses it, else -1.
    pub log_append_time: i64,
    /// The partition's log start offset after the write, or -1 when the broker did not say.
    pub log_start_offset: i64,
}

impl BatchAck {
    /// What an `acks=0` write learns: nothing.
    pub(crate) const NONE: BatchAck = BatchAck {
        base_offset: -1,
        log_append_time: -1,
        log_start_offset: -1,
    };
}

/// The outcome every record of one batch shares. Set once; futures polled before that leave a
/// waker.
pub(crate) struct BatchDone {
    topic: Arc<str>,
    partition: i32,
    result: OnceLock<Result<BatchAck>>,
    wakers: Mutex<Vec<Waker>>,
}

impl std::fmt::Debug for BatchDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchDone")
            .field("topic", &self.topic)
            .field("partition", &self.partition)
            .field("result", &self.result.get())
            .finish()
    }
}

impl BatchDone {
    pub(crate) fn new(topic: Arc<str>, partition: i32) -> Arc<BatchDone> {
        Arc::new(BatchDone {
            topic,
            partition,
            result: OnceLock::new(),
            wakers: Mutex::new(Vec::new()),
        })
    }

    /// Sets the outcome (the first call wins) and wakes every future waiting on it.
    pub(crate) fn set(&self, res: Result<BatchAck>) {
        if self.result.set(res).is_err() {
            return;
        }
        // Taken under the lock a poller registers under: a poller either saw the result or
        // left its waker before this.
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap_or_else(|p| p.into_inner()));
        for w in wakers {
            w.wake();
        }
    }

    /// Whether the outcome is set.
    pub(crate) fn is_set(&self) -> bool {
        self.result.get().is_some()
    }

    /// One record's result: offset `base + delta`, timestamp the broker's LogAppendTime when it
    /// gave one, else the record's CreateTime.
    pub(crate) fn metadata(&self, delta: i32, timestamp: i64) -> Option<Result<RecordMetadata>> {
        self.result
            .get()
            .map(|r| record_result(r, &self.topic, self.partition, delta, timestamp))
    }
}

/// A record's result from its batch's.
pub(crate) fn record_result(
    batch: &Result<BatchAck>,
    topic: &Arc<str>,
    partition: i32,
    delta: i32,
    timestamp: i64,
) -> Result<RecordMetadata> {
    match batch {
        Ok(ack) => Ok(RecordMetadata {
            topic: topic.clone(),
            partition,
            offset: if ack.base_offset < 0 {
                -1
            } else {
                ack.base_offset + i64::from(delta)
            },
            timestamp: if ack.log_append_time >= 0 {
                ack.log_append_time
            } else {
                timestamp
            },
            log_append_time: ack.log_append_time,
            log_start_offset: ack.log_start_offset,
        }),
        Err(e) => Err(e.clone()),
    }
}

/// Resolves to the delivery result of one record.
#[derive(Debug)]
pub struct DeliveryFuture {
    state: State,
}

#[derive(Debug)]
enum State {
    Ready(Option<Result<RecordMetadata>>),
    Waiting(oneshot::Receiver<Result<RecordMetadata>>),
    Batch {
        done: Arc<BatchDone>,
        delta: i32,
        timestamp: i64,
        /// Where this future's waker sits in `done.wakers` once it registered one.
        slot: Option<usize>,
    },
}

impl DeliveryFuture {
    pub(crate) fn ready(res: Result<RecordMetadata>) -> DeliveryFuture {
        DeliveryFuture {
            state: State::Ready(Some(res)),
        }
    }

    pub(crate) fn waiting(rx: oneshot::Receiver<Result<RecordMetadata>>) -> DeliveryFuture {
        DeliveryFuture {
            state: State::Waiting(rx),
        }
    }

    /// The record at `delta` of the batch `done` completes, with CreateTime `timestamp`.
    pub(crate) fn in_batch(done: Arc<BatchDone>, delta: i32, timestamp: i64) -> DeliveryFuture {
        DeliveryFuture {
            state: State::Batch {
                done,
                delta,
                timestamp,
                slot: None,
            },
        }
    }
}

fn closed_before_delivery() -> Error {
    Error::new(
        ErrorKind::Closed,
        "the producer was dropped before the record was delivered",
    )
}

impl Future for DeliveryFuture {
    type Output = Result<RecordMetadata>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            State::Ready(r) => {
                Poll::Ready(r.take().unwrap_or_else(|| {
                    Err(Error::internal("DeliveryFuture polled after completion"))
                }))
            }
            State::Waiting(rx) => Pin::new(rx)
                .poll(cx)
                .map(|r| r.unwrap_or_else(|_| Err(closed_before_delivery()))),
            State::Batch {
                done,
                delta,
                timestamp,
                slot,
            } => {
                if let Some(r) = done.metadata(*delta, *timestamp) {
                    return Poll::Ready(r);
                }
                let mut wakers = done.wakers.lock().unwrap_or_else(|p| p.into_inner());
                // Re-checked under the lock `set` takes after storing the result.
                if let Some(r) = done.metadata(*delta, *timestamp) {
                    return Poll::Ready(r);
                }
                match slot.and_then(|i| wakers.get_mut(i)) {
                    Some(w) => {
                        if !w.will_wake(cx.waker()) {
                            *w = cx.waker().clone();
                        }
                    }
                    None => {
                        *slot = Some(wakers.len());
                        wakers.push(cx.waker().clone());
                    }
                }
                Poll::Pending
            }
        }
    }
}

/// Fails a batch's records with [`ErrorKind::Closed`] when the batch is dropped without an
/// outcome (the producer went away with it), as a dropped channel would.
#[derive(Debug)]
pub(crate) struct Completion(pub Arc<BatchDone>);

impl Drop for Completion {
    fn drop(&mut self) {
        if !self.0.is_set() {
            self.0.set(Err(closed_before_delivery()));
        }
    }
}

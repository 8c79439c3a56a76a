//! The sender task: drains ready batches into ProduceRequests and settles their outcomes.
//!
//! Owns the producer id/epoch (InitProducerId, KIP-360 epoch bumps), per-broker in-flight
//! limits (`max.in.flight.requests.per.connection`), retries with backoff bounded by
//! `delivery.timeout.ms` and `retries`, idempotent error handling (OUT_OF_ORDER_SEQUENCE_NUMBER,
//! UNKNOWN_PRODUCER_ID, DUPLICATE_SEQUENCE_NUMBER), expiry, and delivery callbacks. It must
//! not choose partitions or encode records.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    InitProducerIdRequest, ProduceRequest, ProduceResponse, ProducerId, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::accumulator::{increment_sequence, sequence_after, Accumulator};
use super::batch::ProducerBatch;
use super::delivery::BatchAck;
use super::memory::BufferPool;
use super::metrics::Metrics;
use crate::cluster::{Backoff, Cluster};
use crate::config::{Acks, ClientConfig};
use crate::error::{Error, ErrorKind, Result};

#[derive(Debug, Default)]
struct IdState {
    current: Option<(i64, i16)>,
    bump_needed: bool,
}

/// State shared by the sender loop and its request tasks.
pub struct SenderCtx {
    pub cluster: Cluster,
    pub acc: Arc<Accumulator>,
    pub pool: Arc<BufferPool>,
    pub metrics: Arc<Metrics>,
    cfg: ClientConfig,
    retry: Backoff,
    ids: Mutex<IdState>,
    in_flight: Mutex<HashMap<i32, usize>>,
    total_in_flight: AtomicUsize,
    /// Set by `close` when its timeout passed: fail what is left and stop.
    pub abort: AtomicBool,
    /// A fatal error (fenced, unauthorized): every later send fails with it.
    pub fatal: Mutex<Option<Error>>,
    /// Whether `fatal` is set: every send reads it, without the lock.
    has_fatal: AtomicBool,
    /// Records waiting in the intake queue (close waits for them too).
    pub intake_pending: Arc<AtomicUsize>,
}

impl SenderCtx {
    pub fn new(
        cluster: Cluster,
        acc: Arc<Accumulator>,
        pool: Arc<BufferPool>,
        metrics: Arc<Metrics>,
        cfg: ClientConfig,
        intake_pending: Arc<AtomicUsize>,
    ) -> SenderCtx {
        let retry = Backoff::new(cfg.common.retry_backoff, cfg.common.retry_backoff_max);
        SenderCtx {
            cluster,
            acc,
            pool,
            metrics,
            cfg,
            retry,
            ids: Mutex::new(IdState::default()),
            in_flight: Mutex::new(HashMap::new()),
            total_in_flight: AtomicUsize::new(0),
            abort: AtomicBool::new(false),
            fatal: Mutex::new(None),
            has_fatal: AtomicBool::new(false),
            intake_pending,
        }
    }

    fn idempotent(&self) -> bool {
        self.cfg.producer.enable_idempotence
    }

    fn ids(&self) -> std::sync::MutexGuard<'_, IdState> {
        self.ids.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fatal error, if the producer is unusable.
    pub fn fatal_error(&self) -> Option<Error> {
        if !self.has_fatal.load(Ordering::Acquire) {
            return None;
        }
        self.fatal.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_fatal(&self, err: Error) {
        warn!(error = %err, "producer entered a fatal state");
        *self.fatal.lock().unwrap_or_else(|p| p.into_inner()) = Some(err.clone());
        self.has_fatal.store(true, Ordering::Release);
        for b in self.acc.take_all() {
            self.settle_failed(b, &err, false);
        }
    }

    fn broker_ready(&self, id: i32) -> bool {
        let n = self
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .copied()
            .unwrap_or(0);
        n < self.cfg.producer.max_in_flight && !self.cluster.broker_backing_off(id)
    }

    fn settle_failed(&self, batch: ProducerBatch, err: &Error, was_drained: bool) {
        if was_drained {
            self.acc.on_done(&batch, false);
        }
        self.pool.release(batch.reserved);
        self.metrics.records_failed(batch.record_count());
        batch.fail(err);
    }

    fn settle_ok(&self, batch: ProducerBatch, ack: BatchAck) {
        self.acc.on_done(&batch, true);
        self.pool.release(batch.reserved);
        let bytes = batch.finished().map_or(0, |f| f.len());
        self.metrics.batch_sent(batch.record_count(), bytes);
        batch.complete(ack.base_offset, ack.log_append_time, ack.log_start_offset);
    }

    async fn init_producer_id(&self) -> Result<()> {
        let current = self.ids().current;
        let conn = self.cluster.any_broker().await?;
        let version = conn.version::<InitProducerIdRequest>()?;
        // KIP-360: v3+ bumps the epoch of the id we have instead of handing out a new one.
        let (pid, epoch) = match current {
            Some(c) if version >= 3 => c,
            _ => (-1, -1),
        };
        // kafka-protocol defaults transactional_id to Some(""): idempotent-only needs null.
        let req = InitProducerIdRequest::default()
            .with_transactional_id(None)
            .with_transaction_timeout_ms(60_000)
            .with_producer_id(ProducerId(pid))
            .with_producer_epoch(epoch);
        let resp = conn.request(&req).await?;
        if resp.error_code != 0 {
            return Err(Error::from_code(resp.error_code, "InitProducerId"));
        }
        let new = (resp.producer_id.0, resp.producer_epoch);
        info!(
            producer_id = new.0,
            epoch = new.1,
            "idempotent producer id assigned"
        );
        let mut ids = self.ids();
        let bumped = ids.current.is_some();
        ids.current = Some(new);
        ids.bump_needed = false;
        drop(ids);
        if bumped {
            self.acc.reset_sequences();
        }
        Ok(())
    }

    /// Makes sure an idempotent producer has a usable id. `Ok(false)`: not now (wait).
    async fn ensure_producer_id(&self) -> bool {
        let (have, bump) = {
            let ids = self.ids();
            (ids.current.is_some(), ids.bump_needed)
        };
        if have && !bump {
            return true;
        }
        if bump && self.total_in_flight.load(Ordering::Acquire) > 0 {
            return false; // bump once every in-flight batch has settled
        }
        match self.init_producer_id().await {
            Ok(()) => true,
            Err(e) if e.is_retriable() || e.kind() == ErrorKind::Network => {
                debug!(error = %e, "InitProducerId failed; retrying");
                tokio::time::sleep(self.cfg.common.retry_backoff).await;
                false
            }
            Err(e) => {
                self.set_fatal(e.context("the idempotent producer could not get a producer id"));
                false
            }
        }
    }

    fn expire(&self) {
        let (expired, unresolved) = self
            .acc
            .expire(Instant::now(), self.cfg.producer.delivery_timeout);
        if expired.is_empty() {
            return;
        }
        let err = Error::new(
            ErrorKind::Timeout,
            format!(
                "record not delivered within delivery.timeout.ms ({} ms); check broker health or raise \
                 delivery.timeout.ms",
                self.cfg.producer.delivery_timeout.as_millis()
            ),
        );
        for b in expired {
            self.settle_failed(b, &err, false);
        }
        if unresolved && self.idempotent() {
            self.ids().bump_needed = true;
        }
    }

    /// Fails every batch still queued: close's timeout passed before they were delivered.
    pub(super) fn fail_all_closed(&self) {
        let err = Error::new(
            ErrorKind::Closed,
            "the producer was closed before this record was delivered (close timeout passed)",
        );
        for b in self.acc.take_all() {
            self.settle_failed(b, &err, false);
        }
    }

    fn finished(&self) -> bool {
        self.acc.lock().closing
            && self.acc.incomplete_count() == 0
            && self.total_in_flight.load(Ordering::Acquire) == 0
            && self.intake_pending.load(Ordering::Acquire) == 0
    }
}

/// The sender loop; ends when the producer is closed and everything settled (or aborted).
pub async fn run(ctx: Arc<SenderCtx>) {
    loop {
        if ctx.abort.load(Ordering::Acquire) {
            ctx.fail_all_closed();
            return;
        }
        if ctx.finished() {
            return;
        }
        ctx.expire();
        let producer = if ctx.idempotent() {
            if ctx.fatal_error().is_none() && !ctx.ensure_producer_id().await {
                wait(&ctx, Some(Instant::now() + Duration::from_millis(50))).await;
                continue;
            }
            ctx.ids().current
        } else {
            None
        };
        let snap = ctx.cluster.metadata();
        let drained = ctx.acc.drain(
            Instant::now(),
            ctx.pool.has_waiters(),
            |tp| snap.leader(&tp.topic, tp.partition),
            |b| ctx.broker_ready(b),
            producer,
        );
        let drain = match drained {
            Ok(d) => d,
            Err(e) => {
                ctx.set_fatal(e);
                continue;
            }
        };
        if drain.unknown_leader {
            ctx.cluster.request_refresh();
        }
        let dispatched = !drain.per_broker.is_empty();
        for (broker, batches) in drain.per_broker {
            *ctx.in_flight
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(broker)
                .or_insert(0) += 1;
            ctx.total_in_flight.fetch_add(1, Ordering::AcqRel);
            // Written to the connection here, in drain order; only the wait for the response
            // runs in its own task.
            let started = Instant::now();
            let response = write_request(&ctx, broker, &batches).await;
            crate::runtime::spawn(settle_request(
                ctx.clone(),
                broker,
                batches,
                response,
                started,
            ));
        }
        if dispatched && drain.more {
            continue;
        }
        let mut deadline = drain.next_wakeup;
        if drain.unknown_leader {
            let t = Instant::now() + ctx.cfg.common.retry_backoff;
            deadline = Some(deadline.map_or(t, |d| d.min(t)));
        }
        if ctx.acc.incomplete_count() > 0 {
            // Re-check expiry and backoff regularly even when nothing else wakes us.
            let t = Instant::now() + Duration::from_millis(100);
            deadline = Some(deadline.map_or(t, |d| d.min(t)));
        }
        wait(&ctx, deadline).await;
    }
}

async fn wait(ctx: &SenderCtx, deadline: Option<Instant>) {
    match deadline {
        Some(d) => {
            let _ = tokio::time::timeout_at(d, ctx.acc.wake.notified()).await;
        }
        None => ctx.acc.wake.notified().await,
    }
}

fn build_request(ctx: &SenderCtx, batches: &[ProducerBatch]) -> ProduceRequest {
    let mut topics: Vec<TopicProduceData> = Vec::new();
    for b in batches {
        let data = PartitionProduceData::default()
            .with_index(b.tp.partition)
            .with_records(b.finished().map(|f| f.bytes.clone()));
        match topics.iter_mut().find(|t| *t.name.0 == *b.tp.topic) {
            Some(t) => t.partition_data.push(data),
            None => topics.push(
                TopicProduceData::default()
                    .with_name(TopicName(StrBytes::from_string(b.tp.topic.to_string())))
                    .with_partition_data(vec![data]),
            ),
        }
    }
    let timeout_ms = i32::try_from(ctx.cfg.common.request_timeout.as_millis()).unwrap_or(i32::MAX);
    ProduceRequest::default()
        .with_transactional_id(None)
        .with_acks(ctx.cfg.producer.acks.as_i16())
        .with_timeout_ms(timeout_ms)
        .with_topic_data(topics)
}

/// A produce request already written to its connection: the wait for its response.
type PendingResponse = Pin<Box<dyn Future<Output = Result<Option<ProduceResponse>>> + Send>>;

/// Builds the request for `batches` and queues it on the broker's connection before returning.
///
/// Idempotence depends on this: the broker accepts a partition's sequences only in order, and
/// up to `max.in.flight.requests.per.connection` requests are pipelined on one connection, so
/// they must reach the socket in the order the accumulator drained them. Writing from each
/// request's own task (as before) let the scheduler reorder them: OUT_OF_ORDER_SEQUENCE_NUMBER,
/// retries with growing backoff, spurious epoch bumps, and records expiring under load.
async fn write_request(ctx: &SenderCtx, broker: i32, batches: &[ProducerBatch]) -> PendingResponse {
    let req = build_request(ctx, batches);
    let conn = match ctx.cluster.broker(broker).await {
        Ok(conn) => conn,
        Err(e) => return Box::pin(std::future::ready(Err(e))),
    };
    // `send`/`queue_no_response` put the frame on the connection's ordered write queue before
    // they return, so requests leave in drain order; only the wait runs in its own task.
    let queued: Result<PendingResponse> = if ctx.cfg.producer.acks == Acks::None {
        conn.queue_no_response(&req)
            .map(|w| Box::pin(async move { w.written().await.map(|()| None) }) as PendingResponse)
    } else {
        conn.send(&req, None)
            .map(|f| Box::pin(async move { f.response().await.map(Some) }) as PendingResponse)
    };
    queued.unwrap_or_else(|e| Box::pin(std::future::ready(Err(e))))
}

/// Waits for the response of a written request and settles its batches.
async fn settle_request(
    ctx: Arc<SenderCtx>,
    broker: i32,
    mut batches: Vec<ProducerBatch>,
    response: PendingResponse,
    started: Instant,
) {
    for b in batches.iter_mut() {
        b.attempts += 1;
    }
    let result = response.await;
    ctx.metrics.request_done(started.elapsed());
    match result {
        Ok(None) => {
            for b in batches {
                ctx.settle_ok(b, BatchAck::NONE);
            }
        }
        Ok(Some(resp)) => {
            let mut by_tp: HashMap<(String, i32), ProducerBatch> = batches
                .into_iter()
                .map(|b| ((b.tp.topic.to_string(), b.tp.partition), b))
                .collect();
            for t in resp.responses {
                for p in t.partition_responses {
                    let Some(b) = by_tp.remove(&(t.name.0.to_string(), p.index)) else {
                        continue;
                    };
                    if p.current_leader.leader_id.0 >= 0 {
                        let l = &p.current_leader;
                        ctx.cluster.update_leader(
                            &b.tp.topic,
                            p.index,
                            l.leader_id.0,
                            l.leader_epoch,
                        );
                    }
                    match p.error_code {
                        0 => ctx.settle_ok(
                            b,
                            BatchAck {
                                base_offset: p.base_offset,
                                log_append_time: p.log_append_time_ms,
                                log_start_offset: p.log_start_offset,
                            },
                        ),
                        // Already written by an earlier attempt: the broker deduplicated it.
                        46 => ctx.settle_ok(
                            b,
                            BatchAck {
                                base_offset: -1,
                                log_append_time: p.log_append_time_ms,
                                log_start_offset: p.log_start_offset,
                            },
                        ),
                        code => {
                            let mut err = Error::from_code(code, format!("producing to {}", b.tp));
                            if let Some(m) = p.error_message.as_ref().filter(|m| !m.is_empty()) {
                                err = err
                                    .context(format!("broker said: {}", m.as_str()))
                                    .with_broker_message(Some(m.as_str()));
                            }
                            handle_error(&ctx, b, err);
                        }
                    }
                }
            }
            for (_, b) in by_tp {
                let err = Error::protocol(format!("the produce response did not mention {}", b.tp))
                    .with_retriable(true);
                handle_error(&ctx, b, err);
            }
        }
        Err(e) => {
            ctx.cluster.on_error(&e);
            for b in batches {
                handle_error(&ctx, b, e.clone());
            }
        }
    }
    if let Some(n) = ctx
        .in_flight
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get_mut(&broker)
    {
        *n = n.saturating_sub(1);
    }
    ctx.total_in_flight.fetch_sub(1, Ordering::AcqRel);
    ctx.acc.wake.notify_one();
}

fn handle_error(ctx: &SenderCtx, batch: ProducerBatch, err: Error) {
    ctx.cluster.on_error(&err);
    let idempotent = ctx.idempotent() && batch.stamp.is_some();
    let kind = err.kind();
    // Fenced, or not allowed to produce idempotently at all: nothing later can succeed.
    if kind == ErrorKind::ProducerFenced || err.code() == Some(31) {
        ctx.settle_failed(batch, &err, true);
        ctx.set_fatal(err);
        return;
    }
    let mut retriable = err.is_retriable();
    if idempotent {
        match kind {
            ErrorKind::OutOfOrderSequence => {
                // Only a batch *after* the next expected sequence can be waiting for an earlier
                // batch that failed too (and is retried first). The very next one, or one that a
                // later acknowledged batch already passed, can never be accepted under this
                // epoch: the broker's state and ours disagree, so start a new epoch (KIP-360)
                // and resend it with fresh sequences instead of retrying it forever.
                let next = increment_sequence(ctx.acc.last_acked(&batch.tp), 1);
                if batch.stamp.is_some_and(|s| !sequence_after(s.2, next)) {
                    debug!(tp = %batch.tp, stamp = ?batch.stamp, next, "sequence gap; bumping the epoch");
                    ctx.ids().bump_needed = true;
                }
                retriable = true;
            }
            ErrorKind::UnknownProducerId => {
                ctx.ids().bump_needed = true;
                retriable = true;
            }
            _ => {}
        }
    }
    let now = Instant::now();
    let expired = now >= batch.created + ctx.cfg.producer.delivery_timeout;
    let attempts_left = batch.attempts <= ctx.cfg.producer.retries;
    if retriable && attempts_left && !expired && ctx.fatal_error().is_none() {
        debug!(tp = %batch.tp, attempt = batch.attempts, error = %err, "retrying batch");
        ctx.metrics.retried(batch.record_count());
        let retry_at = now + ctx.retry.delay(batch.attempts);
        ctx.acc.reenqueue(batch, retry_at);
        return;
    }
    let err = if expired && retriable {
        Error::new(
            ErrorKind::Timeout,
            format!("record not delivered within delivery.timeout.ms; last error: {err}"),
        )
    } else {
        err
    };
    if idempotent {
        // Its sequence range is gone: later batches would see a gap, so start a new epoch.
        ctx.ids().bump_needed = true;
    }
    ctx.settle_failed(batch, &err, true);
}

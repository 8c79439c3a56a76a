//! The producer: partitioner → accumulator → sender → delivery results.
//!
//! Owns the public [`Producer`] API: `send` enqueues synchronously (two sends from one task keep
//! their order) and returns a future of the delivery result; records whose topic metadata or
//! buffer memory is not available yet go through an ordered intake queue (intake.rs) that
//! waits up to `max.block.ms`; callers that block as Java's `send()` does wait for room first
//! (room.rs). `flush` and `close` drain. Batching, sending, retries and
//! delivery results (delivery.rs) live in the submodules.

pub mod accumulator;
pub mod batch;
mod delivery;
mod intake;
pub mod memory;
pub mod metrics;
mod partitions;
pub mod record;
mod room;
pub mod sender;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::cluster::{Cluster, TopicMetadata};
use crate::config::ClientConfig;
use crate::connection::{Connector, TcpConnector};
use crate::error::{Error, ErrorKind, Result};
use crate::partitioner::{partition_for_key, BuiltInPartitioner, PartitionContext, Partitioner};
use crate::protocol::estimate_record_size;
use crate::protocol::Compression;
use crate::types::TopicPartition;
use accumulator::{Accumulator, AccumulatorConfig, AppendRecord};
pub use delivery::DeliveryFuture;
use delivery::Forward;
use intake::Intake;
use memory::BufferPool;
use metrics::Metrics;
pub use metrics::MetricsSnapshot;
pub use record::{IntoTopicName, ProducerRecord, RecordHeader, RecordMetadata};
use sender::SenderCtx;

/// How long `close` waits, at most, for the sender task to end once the records are settled.
const SENDER_EXIT_GRACE: Duration = Duration::from_secs(5);

/// Everything the send path and the intake task share.
struct Shared {
    cfg: ClientConfig,
    cluster: Cluster,
    acc: Arc<Accumulator>,
    pool: Arc<BufferPool>,
    metrics: Arc<Metrics>,
    sender: Arc<SenderCtx>,
    partitioner: BuiltInPartitioner,
    custom: Option<Arc<dyn Partitioner>>,
    /// Records sent but not appended yet (queued in `intake`, or being appended from it).
    intake_pending: Arc<AtomicUsize>,
    intake: Intake,
    /// Bytes of the records in the intake queue (not reserved in `buffer.memory` yet).
    intake_bytes: AtomicUsize,
    intake_idle: Notify,
    closed: AtomicBool,
}

struct Inner {
    shared: Arc<Shared>,
    sender_task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Like Java's close() without waiting: what was sent is still delivered in the background.
        self.shared.closed.store(true, Ordering::Release);
        self.shared.acc.lock().closing = true;
        self.shared.acc.wake.notify_one();
        self.shared.intake.wake();
        self.shared.pool.wake_waiters();
    }
}

/// Optional extension points of a producer.
#[derive(Default, Clone)]
pub struct ProducerOptions {
    /// Consulted before the built-in partitioner; `None` from it means "use the built-in".
    pub partitioner: Option<Arc<dyn Partitioner>>,
    /// How broker connections are opened (TLS, test fakes); plain TCP by default.
    pub connector: Option<Arc<dyn Connector>>,
}

/// A Kafka producer. Cheap to clone; clones share batches and connections.
#[derive(Clone)]
pub struct Producer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("cluster", &self.inner.shared.cluster)
            .finish()
    }
}

use ferrokafka_protocol::now_ms;

impl Producer {
    /// Creates a producer. It connects lazily: metadata and the producer id load in the
    /// background, and the first sends wait for them up to `max.block.ms`.
    pub fn new(config: ClientConfig) -> Result<Producer> {
        Producer::with_partitioner(config, None)
    }

    /// Creates a producer with a custom partitioner (consulted before the built-in one).
    pub fn with_partitioner(
        config: ClientConfig,
        custom: Option<Arc<dyn Partitioner>>,
    ) -> Result<Producer> {
        Producer::with_options(
            config,
            ProducerOptions {
                partitioner: custom,
                connector: None,
            },
        )
    }

    /// Creates a producer with every extension point.
    pub fn with_options(config: ClientConfig, options: ProducerOptions) -> Result<Producer> {
        let custom = options.partitioner;
        let connector = options.connector.unwrap_or_else(|| Arc::new(TcpConnector));
        let _rt = crate::runtime::handle().enter();
        let auto_create = config.common.allow_auto_create_topics.unwrap_or(true);
        let cluster = Cluster::new(config.clone(), connector, auto_create)?;
        let p = &config.producer;
        let acc = Arc::new(Accumulator::new(AccumulatorConfig {
            batch_size: p.batch_size.max(1),
            linger: p.linger,
            compression: Compression {
                codec: p.compression,
                levels: p.compression_levels,
            },
            max_request_size: p.max_request_size,
            max_in_flight: p.max_in_flight,
            idempotent: p.enable_idempotence,
        }));
        let pool = Arc::new(BufferPool::new(p.buffer_memory));
        let metrics = Arc::new(Metrics::new(config.metric_samples()));
        let intake_pending = Arc::new(AtomicUsize::new(0));
        let sender = Arc::new(SenderCtx::new(
            cluster.clone(),
            acc.clone(),
            pool.clone(),
            metrics.clone(),
            config.clone(),
            intake_pending.clone(),
        ));
        let shared = Arc::new(Shared {
            partitioner: BuiltInPartitioner::new(p.partitioner_ignore_keys, p.batch_size),
            cfg: config,
            cluster,
            acc,
            pool,
            metrics,
            sender: sender.clone(),
            custom,
            intake_pending,
            intake: Intake::default(),
            intake_bytes: AtomicUsize::new(0),
            intake_idle: Notify::new(),
            closed: AtomicBool::new(false),
        });
        crate::runtime::spawn(intake::intake_task(shared.clone()));
        let task = crate::runtime::spawn(sender::run(sender));
        Ok(Producer {
            inner: Arc::new(Inner {
                shared,
                sender_task: Mutex::new(Some(task)),
            }),
        })
    }

    /// The configuration this producer was created with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.shared.cfg
    }

    /// The cluster handle (metadata, connections) this producer uses.
    pub fn cluster(&self) -> &Cluster {
        &self.inner.shared.cluster
    }

    /// Enqueues a record and returns a future of its delivery result. The record is ordered
    /// against earlier sends from the same task as soon as this returns; awaiting the future is
    /// optional for delivery.
    ///
    /// Never blocks: a record without room in `buffer.memory` (or whose topic's metadata is not
    /// known yet) is queued and fails after `max.block.ms` if it still cannot go. To wait for
    /// room first, as Java's `send()` does, call [`Producer::wait_for_room`] (or
    /// [`Producer::wait_for_room_blocking`]) before it.
    pub fn send(&self, record: ProducerRecord) -> DeliveryFuture {
        let s = &self.inner.shared;
        if s.closed.load(Ordering::Acquire) {
            return DeliveryFuture::ready(Err(Error::new(
                ErrorKind::Closed,
                "send after the producer was closed; create a new producer",
            )));
        }
        if let Some(e) = s.sender.fatal_error() {
            return DeliveryFuture::ready(Err(e));
        }
        let size = estimate_record_size(
            record.key.as_deref(),
            record.value.as_deref(),
            &record.headers,
        );
        let limit = s
            .cfg
            .producer
            .max_request_size
            .min(s.cfg.producer.buffer_memory);
        if size > limit {
            return DeliveryFuture::ready(Err(Error::new(
                ErrorKind::RecordTooLarge,
                format!(
                    "the record is {size} bytes when serialized, larger than max.request.size ({}) or \
                     buffer.memory ({}); send a smaller record or raise those settings",
                    s.cfg.producer.max_request_size, s.cfg.producer.buffer_memory
                ),
            )));
        }
        if s.intake_pending.load(Ordering::Acquire) == 0 {
            if let Some(f) = s.try_append_now(&record, size) {
                return f;
            }
        }
        s.send_queued(record, size)
    }

    /// Enqueues many records in order (for bindings crossing a language boundary once).
    pub fn send_batch(&self, records: Vec<ProducerRecord>) -> Vec<DeliveryFuture> {
        records.into_iter().map(|r| self.send(r)).collect()
    }

    /// Waits until every record sent before this call is delivered or failed.
    pub async fn flush(&self) -> Result<()> {
        self.inner.shared.flush().await
    }

    /// Stops accepting records, delivers what is queued within `timeout`, then fails anything
    /// left with a [`ErrorKind::Closed`] error and closes connections.
    pub async fn close(&self, timeout: Duration) -> Result<()> {
        let s = &self.inner.shared;
        s.closed.store(true, Ordering::Release);
        s.intake.wake();
        s.pool.wake_waiters();
        let deadline = Instant::now().checked_add(timeout);
        let drained = match deadline {
            Some(d) => tokio::time::timeout_at(d, s.flush()).await,
            None => Ok(s.flush().await),
        };
        s.acc.lock().closing = true;
        if drained.is_err() {
            s.sender.abort.store(true, Ordering::Release);
        }
        s.acc.wake.notify_one();
        let task = self
            .inner
            .sender_task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(mut t) = task {
            // With everything settled the sender ends at its next turn. One stuck on a request to
            // a broker that stopped answering (an InitProducerId, say) is not waited for past
            // close's budget, as Java's close(Duration.ZERO) returns at once: it is cancelled, and
            // a batch it held fails its records with a closed error as it drops.
            let grace = deadline
                .map_or(SENDER_EXIT_GRACE, |d| {
                    d.saturating_duration_since(Instant::now())
                })
                .clamp(Duration::from_millis(50), SENDER_EXIT_GRACE);
            if tokio::time::timeout(grace, &mut t).await.is_err() {
                t.abort();
                let _ = t.await;
                s.sender.fail_all_closed();
            }
        }
        s.cluster.close();
        match drained {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "close: records were still undelivered after {} ms and were failed; give close \
                     more time to drain",
                    timeout.as_millis()
                ),
            )),
        }
    }

    /// Kafka-named metrics.
    pub fn metrics(&self) -> MetricsSnapshot {
        let s = &self.inner.shared;
        s.metrics.snapshot(s.cluster.auth_metrics())
    }

    /// Bytes of `buffer.memory` in use plus the records sent but still waiting for it (or for
    /// their topic's metadata): every record the producer holds. [`Producer::wait_for_room`]
    /// waits on this.
    pub fn buffered_bytes(&self) -> usize {
        let s = &self.inner.shared;
        s.pool.used() + s.intake_bytes.load(Ordering::Acquire)
    }
}

/// Decrements the flush counter even if `flush` is cancelled.
struct FlushGuard<'a>(&'a Accumulator);

impl Drop for FlushGuard<'_> {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.flushing = st.flushing.saturating_sub(1);
    }
}

impl Shared {
    /// The topic's metadata when records can be appended to it right now (known, no error,
    /// with partitions).
    fn ready_topic(&self, topic: &str) -> Option<Arc<TopicMetadata>> {
        self.cluster
            .metadata()
            .topics
            .get(topic)
            .filter(|m| m.error_code == 0 && !m.partitions.is_empty())
            .cloned()
    }

    async fn flush(&self) -> Result<()> {
        loop {
            let idle = self.intake_idle.notified();
            if self.intake_pending.load(Ordering::Acquire) == 0 {
                break;
            }
            idle.await;
        }
        let target = {
            let mut st = self.acc.lock();
            st.flushing += 1;
            st.next_batch_id()
        };
        let _guard = FlushGuard(&self.acc);
        self.acc.wake.notify_one();
        loop {
            let done = self.acc.completed.notified();
            if self.acc.flushed_below(target) {
                break;
            }
            done.await;
        }
        match self.sender.fatal_error() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn choose_partition(&self, record: &ProducerRecord, meta: &TopicMetadata) -> Result<i32> {
        let n = meta.partition_count();
        let check = |p: i32| {
            if (0..n).contains(&p) {
                Ok(p)
            } else {
                Err(Error::new(
                    ErrorKind::UnknownTopicOrPartition,
                    format!(
                        "partition {p} is not in [0, {n}) for topic {}; pick an existing partition",
                        meta.name
                    ),
                )
                .with_retriable(false))
            }
        };
        if let Some(p) = record.partition {
            return check(p);
        }
        let ctx = PartitionContext {
            topic: &meta.name,
            partition_count: n,
            available: meta.available_partitions(),
        };
        if let Some(custom) = &self.custom {
            if let Some(p) = custom.partition(&ctx, record.key.as_deref(), record.value.as_deref())
            {
                return check(p);
            }
        }
        match (&record.key, self.cfg.producer.partitioner_ignore_keys) {
            (Some(k), false) => Ok(partition_for_key(k, n)),
            _ => Ok(self.partitioner.partition(&ctx, record.key.as_deref())),
        }
    }

    /// Appends the record at once when its topic is ready and `size` bytes of `buffer.memory`
    /// are free, returning its future; `None` (nothing reserved) when it must wait.
    fn try_append_now(&self, record: &ProducerRecord, size: usize) -> Option<DeliveryFuture> {
        let meta = self.ready_topic(&record.topic)?;
        if !self.pool.try_reserve(size) {
            return None;
        }
        Some(self.append_direct(record, &meta, size))
    }

    /// Appends a record that has no future yet, memory reserved, and returns its future.
    fn append_direct(
        &self,
        record: &ProducerRecord,
        meta: &TopicMetadata,
        size: usize,
    ) -> DeliveryFuture {
        match self.append(record, meta, size, None) {
            Ok(Some(f)) => f,
            Ok(None) => DeliveryFuture::ready(Err(Error::internal(
                "append returned no future for a direct send",
            ))),
            Err(e) => DeliveryFuture::ready(Err(e)),
        }
    }

    /// Appends with memory already reserved; releases it on failure. The record's result goes
    /// to `forward` when given (then `Ok(None)`), else to the returned future.
    fn append(
        &self,
        record: &ProducerRecord,
        meta: &TopicMetadata,
        size: usize,
        forward: Option<Forward>,
    ) -> Result<Option<DeliveryFuture>> {
        let partition = match self.choose_partition(record, meta) {
            Ok(p) => p,
            Err(e) => {
                self.pool.release(size);
                self.metrics.records_failed(1);
                return Ok(match forward {
                    Some(tx) => {
                        let _ = tx.send(Err(e));
                        None
                    }
                    None => Some(DeliveryFuture::ready(Err(e))),
                });
            }
        };
        let keyless = record.partition.is_none()
            && (record.key.is_none() || self.cfg.producer.partitioner_ignore_keys);
        let ctx = PartitionContext {
            topic: &meta.name,
            partition_count: meta.partition_count(),
            available: meta.available_partitions(),
        };
        let appended = AppendRecord {
            timestamp: record.timestamp.unwrap_or_else(now_ms),
            key: record.key.as_deref(),
            value: record.value.as_deref(),
            headers: &record.headers,
        };
        let tp = TopicPartition::new(meta.name.clone(), partition);
        // Only the built-in sticky choice moves; a custom partitioner's answer stands. The
        // accumulator asks only when the record would not fit the open batch, under the same
        // lock as the append.
        let sticky = keyless && self.custom.is_none();
        let res = self.acc.append_with(
            &tp,
            &appended,
            size,
            forward,
            || {
                if sticky {
                    self.partitioner
                        .switch_before_new_batch(&ctx, partition, size)
                } else {
                    None
                }
            },
            Instant::now,
        );
        let res = res.map(|(out, future)| {
            if keyless {
                self.partitioner.on_append(
                    &ctx,
                    out.partition,
                    size,
                    out.new_batch || out.batch_full,
                );
            }
            // The sender wakes for a batch to send (a closed or full one) or a new linger to
            // time; appends to an open batch leave it asleep.
            if out.switched || out.new_batch || out.batch_full {
                self.acc.wake.notify_one();
            }
            future
        });
        if res.is_err() {
            self.pool.release(size);
        }
        res
    }
}

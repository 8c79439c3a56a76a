//! `NativeProducer`: the core producer behind one JS object. `send` takes a whole batch of
//! records in one call, packed (`outgoing.rs`), hands it to the ordered intake (`intake.rs`)
//! and resolves with the first delivery of each topic-partition.

use std::collections::HashMap;
use std::time::Duration;

use ferrokafka_core::Producer;
use ferrokafka_protocol::FramePool;
use napi::bindgen_prelude::{Buffer, Float64Array, Int32Array, PromiseRaw};
use napi::{Env, Error, Status};
use napi_derive::napi;

use crate::convert::{client_config, Delivery};
use crate::error::{on_core, to_napi};
use crate::intake::{Intake, PackedSend};
use crate::requests::{observer, RequestCallback};

/// Idle buffers kept for large sends: the intake holds one or two at a time, as it empties each
/// send into batches before the next.
const PACKED_IDLE: usize = 4;
/// Larger sends get a buffer of their own, freed afterwards.
const PACKED_MAX: usize = 16 * 1024 * 1024;

/// A Kafka producer (batching, compression, idempotence, Java's partitioner) from the core.
#[napi]
pub struct NativeProducer {
    inner: Producer,
    intake: Intake,
    /// Buffers for the packed bytes of large sends (see `send`).
    packed: FramePool,
}

#[napi]
impl NativeProducer {
    /// Creates a producer from Java-named properties (`bootstrap.servers`, `linger.ms`, ...).
    #[napi(constructor)]
    pub fn new(props: HashMap<String, String>) -> napi::Result<Self> {
        let cfg = client_config(props)?;
        // Created outside any runtime, so the core puts its background tasks on its own.
        let inner = Producer::new(cfg).map_err(to_napi)?;
        let intake = Intake::start(inner.clone());
        Ok(NativeProducer {
            inner,
            intake,
            packed: FramePool::new(PACKED_IDLE, PACKED_MAX),
        })
    }

    /// Queues the packed records (see `outgoing.rs` for the layout) behind every earlier send,
    /// so sends keep their call order, and resolves when all are acknowledged with the first
    /// delivery of each topic-partition; rejects with the first failure. Only the copy of the
    /// bytes happens on the JS thread, and it must stay a copy: the TS layer writes the next
    /// send into the same buffers as soon as this returns (`ts/outgoing.ts`). A large send is
    /// copied into a recycled buffer, which returns once its records are in batches: a fresh
    /// megabyte faulted in page by page on every send (a third of a fault per 1 KB record).
    #[napi(ts_return_type = "Promise<Array<Delivery>>")]
    pub fn send<'env>(
        &self,
        env: &'env Env,
        topics: Vec<String>,
        layout: Int32Array,
        data: Buffer,
        timestamps: Option<Float64Array>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Delivery>>> {
        let answer = self.intake.send(PackedSend {
            topics,
            layout: layout.to_vec(),
            data: self.packed.copy_into_pooled(&data),
            timestamps: timestamps.map(|t| t.to_vec()),
        });
        env.spawn_future(async move {
            answer.await.map_err(|_| {
                Error::new(
                    Status::GenericFailure,
                    "the producer's intake stopped before answering; create a new producer",
                )
            })?
        })
    }

    /// Reports every finished request of this client to `callback` (kafkajs's
    /// network.request events), or stops with `null`.
    #[napi(ts_args_type = "callback: ((event: RequestEventJs) => void) | null")]
    pub fn on_requests(&self, callback: Option<RequestCallback>) {
        self.inner
            .cluster()
            .set_request_observer(callback.map(observer));
    }

    /// Waits until every record sent before this call is delivered or failed.
    #[napi]
    pub async fn flush(&self) -> napi::Result<()> {
        self.intake.barrier().await;
        let p = self.inner.clone();
        on_core(async move { p.flush().await }).await
    }

    /// Delivers what is queued within `timeout_ms`, then closes connections.
    #[napi]
    pub async fn close(&self, timeout_ms: u32) -> napi::Result<()> {
        self.intake.barrier().await;
        let p = self.inner.clone();
        on_core(async move { p.close(Duration::from_millis(timeout_ms.into())).await }).await
    }
}

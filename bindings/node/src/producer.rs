//! `NativeProducer`: the core producer behind one JS object. `send` takes a whole batch of
//! records in one call, packed (`outgoing.rs`), and resolves with the first delivery of each
//! topic-partition.

use std::collections::HashMap;
use std::time::Duration;

use ferrokafka_core::Producer;
use napi::bindgen_prelude::{Buffer, Float64Array, Int32Array, PromiseRaw};
use napi::Env;
use napi_derive::napi;

use crate::convert::{client_config, Delivery};
use crate::error::{on_core, to_napi};
use crate::outgoing::{note_first, unpack};

/// A Kafka producer (batching, compression, idempotence, Java's partitioner) from the core.
#[napi]
pub struct NativeProducer {
    inner: Producer,
}

#[napi]
impl NativeProducer {
    /// Creates a producer from Java-named properties (`bootstrap.servers`, `linger.ms`, ...).
    #[napi(constructor)]
    pub fn new(props: HashMap<String, String>) -> napi::Result<Self> {
        let cfg = client_config(props)?;
        // Created outside any runtime, so the core puts its background tasks on its own.
        let inner = Producer::new(cfg).map_err(to_napi)?;
        Ok(NativeProducer { inner })
    }

    /// Enqueues the packed records (see `outgoing.rs` for the layout) in order (synchronously,
    /// on the JS thread, so sends keep their call order) and resolves when all are
    /// acknowledged with the first delivery of each topic-partition; rejects with the first
    /// failure.
    #[napi(ts_return_type = "Promise<Array<Delivery>>")]
    pub fn send<'env>(
        &self,
        env: &'env Env,
        topics: Vec<String>,
        layout: Int32Array,
        data: Buffer,
        timestamps: Option<Float64Array>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Delivery>>> {
        let records = unpack(&topics, &layout, data.into(), timestamps.as_deref())?;
        let futures = self.inner.send_batch(records);
        env.spawn_future(on_core(async move {
            let mut out = Vec::new();
            let mut first_err = None;
            for f in futures {
                match f.await {
                    Ok(m) => note_first(&mut out, m),
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            match first_err {
                Some(e) => Err(e),
                None => Ok(out),
            }
        }))
    }

    /// Waits until every record sent before this call is delivered or failed.
    #[napi]
    pub async fn flush(&self) -> napi::Result<()> {
        let p = self.inner.clone();
        on_core(async move { p.flush().await }).await
    }

    /// Delivers what is queued within `timeout_ms`, then closes connections.
    #[napi]
    pub async fn close(&self, timeout_ms: u32) -> napi::Result<()> {
        let p = self.inner.clone();
        on_core(async move { p.close(Duration::from_millis(timeout_ms.into())).await }).await
    }
}

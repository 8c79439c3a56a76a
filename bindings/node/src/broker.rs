//! `NativeBroker`: the bundled ferrokafka broker inside the addon, for `ferrokafka/testing`.
//! Start and stop block on the broker's own runtime, so they run on a blocking thread of the
//! core's runtime and resolve Promises; Node's event loop never waits on them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ferrokafka_broker::{Broker, EmbeddedBroker};
use napi_derive::napi;

use crate::error::config;

/// A running broker on a free loopback port.
#[napi]
pub struct NativeBroker {
    inner: Arc<Mutex<Option<EmbeddedBroker>>>,
    bootstrap: String,
    port: u32,
}

/// Starts a broker with its data in `data_dir` and Kafka-named settings in `props`.
// napi registers free functions only outside `cfg(test)`, so a test build sees no caller.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub async fn start_broker(
    data_dir: String,
    props: HashMap<String, String>,
) -> napi::Result<NativeBroker> {
    let started = ferrokafka_core::runtime()
        .spawn_blocking(move || {
            let mut b = Broker::builder().data_dir(&data_dir).listen("127.0.0.1:0");
            for (k, v) in props {
                b = b.config(k, v);
            }
            EmbeddedBroker::start(b)
        })
        .await
        .map_err(|e| config(format!("the broker thread failed: {e}")))?
        .map_err(|e| config(format!("cannot start the bundled broker: {e}")))?;
    Ok(NativeBroker {
        bootstrap: started.bootstrap_servers().to_string(),
        port: started.port().into(),
        inner: Arc::new(Mutex::new(Some(started))),
    })
}

#[napi]
impl NativeBroker {
    /// `host:port` for `brokers`.
    #[napi(getter)]
    pub fn bootstrap(&self) -> String {
        self.bootstrap.clone()
    }

    /// The bound port.
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        self.port
    }

    /// Stops the broker (idempotent) and resolves when its logs are closed.
    #[napi]
    pub async fn stop(&self) -> napi::Result<()> {
        let slot = self.inner.clone();
        ferrokafka_core::runtime()
            .spawn_blocking(move || {
                let taken = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
                if let Some(b) = taken {
                    b.stop();
                }
            })
            .await
            .map_err(|e| config(format!("the broker thread failed: {e}")))
    }
}

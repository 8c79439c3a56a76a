//! A broker for callers that have no tokio runtime: the language bindings' test helpers
//! (`startBroker()`, `LocalBroker`, `EmbeddedKafkaBroker`) and the CLI.
//!
//! [`EmbeddedBroker`] owns a small multi-threaded runtime, starts the broker on it and hands
//! back plain values: the bootstrap address and a blocking, idempotent [`EmbeddedBroker::stop`].
//! No tokio type appears in its public signature. Its calls are safe from any thread, including
//! one that is itself inside a tokio runtime (they never `block_on` the caller's thread).

use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::Mutex;

use tokio::runtime::Runtime;

use crate::builder::BrokerBuilder;
use crate::error::BrokerError;
use crate::handle::BrokerHandle;

/// A running broker with its own runtime. Dropping it stops it (blocking until the logs are
/// closed), like [`EmbeddedBroker::stop`].
pub struct EmbeddedBroker {
    local_addr: SocketAddr,
    bootstrap: String,
    cluster_id: String,
    running: Mutex<Option<(Runtime, BrokerHandle)>>,
}

impl EmbeddedBroker {
    /// Starts a broker with `builder`'s settings on a runtime of its own and waits until it
    /// accepts connections. Errors are the builder's: bad settings, a data directory in use, a
    /// port that cannot be bound.
    pub fn start(builder: BrokerBuilder) -> Result<EmbeddedBroker, BrokerError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("ferrokafka-broker")
            .build()
            .map_err(BrokerError::Runtime)?;
        // Start on the broker's own runtime and wait on a std channel, so this works from a
        // thread that is itself inside another runtime (where `block_on` would panic).
        let (tx, rx) = mpsc::channel();
        runtime.spawn(async move {
            let _ = tx.send(builder.start().await);
        });
        let started = rx.recv().unwrap_or_else(|_| {
            Err(BrokerError::Runtime(std::io::Error::other(
                "the broker's runtime stopped before the broker started",
            )))
        });
        let handle = match started {
            Ok(h) => h,
            Err(e) => {
                runtime.shutdown_background();
                return Err(e);
            }
        };
        Ok(EmbeddedBroker {
            local_addr: handle.local_addr(),
            bootstrap: handle.bootstrap_servers().to_string(),
            cluster_id: handle.cluster_id().to_string(),
            running: Mutex::new(Some((runtime, handle))),
        })
    }

    /// `host:port` for a client's `bootstrap.servers`.
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap
    }

    /// The bound address (the real port when configured with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// The cluster id stored in `meta.properties`.
    pub fn cluster_id(&self) -> &str {
        &self.cluster_id
    }

    /// Whether [`EmbeddedBroker::stop`] has not been called yet.
    pub fn is_running(&self) -> bool {
        self.running.lock().map(|r| r.is_some()).unwrap_or(false)
    }

    /// Stops accepting, finishes in-flight requests, flushes and closes every log, then stops
    /// the runtime. Blocks until done; a second call returns at once.
    pub fn stop(&self) {
        let taken = match self.running.lock() {
            Ok(mut r) => r.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let Some((runtime, handle)) = taken else {
            return;
        };
        let (tx, rx) = mpsc::channel();
        runtime.spawn(async move {
            handle.shutdown().await;
            let _ = tx.send(());
        });
        let _ = rx.recv();
        // Every broker task has finished; `shutdown_background` never blocks, so this is also
        // safe on a thread inside another runtime.
        runtime.shutdown_background();
    }

    /// Runs until SIGINT or SIGTERM, then stops cleanly (what `ferrokafka broker` does).
    pub fn run_until_signal(self) {
        let signalled = {
            let guard = match self.running.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            let Some((runtime, handle)) = guard.as_ref() else {
                return;
            };
            let trigger = handle.shutdown_trigger();
            let (tx, rx) = mpsc::channel();
            runtime.spawn(async move {
                wait_for_signal().await;
                tracing::info!("shutting down");
                let _ = trigger.send(true);
                let _ = tx.send(());
            });
            rx
        };
        let _ = signalled.recv();
        self.stop();
    }
}

impl Drop for EmbeddedBroker {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Broker;

    fn builder(dir: &std::path::Path) -> BrokerBuilder {
        Broker::builder().data_dir(dir).listen("127.0.0.1:0")
    }

    #[test]
    fn starts_answers_and_stops_without_a_caller_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let broker = EmbeddedBroker::start(builder(dir.path())).unwrap();
        assert_ne!(broker.port(), 0);
        assert!(broker
            .bootstrap_servers()
            .ends_with(&format!(":{}", broker.port())));
        std::net::TcpStream::connect(broker.local_addr()).expect("the broker accepts");
        broker.stop();
        assert!(!broker.is_running());
        broker.stop(); // idempotent
                       // The data directory lock was released: a second broker can take it.
        let again = EmbeddedBroker::start(builder(dir.path())).unwrap();
        assert_eq!(again.cluster_id(), broker.cluster_id());
    }

    #[tokio::test]
    async fn start_and_stop_from_inside_another_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let broker = EmbeddedBroker::start(builder(dir.path())).unwrap();
        let stream = tokio::net::TcpStream::connect(broker.local_addr()).await;
        assert!(stream.is_ok());
        drop(broker); // Drop stops it; must not panic inside this runtime
    }

    #[test]
    fn a_data_dir_in_use_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let _first = EmbeddedBroker::start(builder(dir.path())).unwrap();
        let err = EmbeddedBroker::start(builder(dir.path()))
            .err()
            .expect("second start fails");
        assert!(matches!(err, BrokerError::DataDirInUse(_)), "{err}");
    }
}

//! A running broker inside the caller's tokio runtime: its addresses and a graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::state::BrokerState;

/// A running broker. Dropping it stops accepting connections; call [`BrokerHandle::shutdown`]
/// to also wait until every log is flushed and closed.
pub struct BrokerHandle {
    pub(crate) local_addr: SocketAddr,
    /// Every bound listener: its name and address.
    pub(crate) listeners: Vec<(String, SocketAddr)>,
    pub(crate) bootstrap: String,
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) task: Option<JoinHandle<()>>,
    pub(crate) state: Arc<BrokerState>,
}

impl BrokerHandle {
    /// The bound address (the real port when configured with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Every bound listener by name, in `listeners` order (the first is [`Self::local_addr`]).
    pub fn listener_addrs(&self) -> &[(String, SocketAddr)] {
        &self.listeners
    }

    /// `host:port` for a client's `bootstrap.servers`.
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap
    }

    /// The cluster id stored in `meta.properties`.
    pub fn cluster_id(&self) -> &str {
        &self.state.cluster_id
    }

    /// Counters of incremental fetch sessions (KIP-227): how many were created, evicted and
    /// used, and how many requests were full or incremental.
    pub fn fetch_session_metrics(&self) -> crate::handler::fetch_session::FetchSessionMetrics {
        self.state.fetch_sessions.metrics()
    }

    /// Stops accepting, finishes in-flight requests, closes every log cleanly.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Waits until the broker stops (after a shutdown from elsewhere).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// A sender that triggers shutdown, for signal handlers.
    pub fn shutdown_trigger(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}

impl Drop for BrokerHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

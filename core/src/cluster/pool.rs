//! Connections to brokers, one per address, reopened with backoff.
//!
//! Owns at most one live [`Connection`] per broker address, the count of consecutive connect
//! failures, and the jittered exponential reconnect backoff (`reconnect.backoff.ms` up to
//! `reconnect.backoff.max.ms`). A poisoned connection is replaced on next use. It must not
//! retry requests: callers decide.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::time::Instant;
use tracing::{debug, info};

use super::backoff::Backoff;
use crate::connection::{Connection, ConnectionConfig, Connector};
use crate::error::Result;

#[derive(Default)]
struct Slot {
    conn: Option<Arc<Connection>>,
    failures: u32,
    next_attempt: Option<Instant>,
}

/// The pool.
pub struct ConnectionPool {
    connector: Arc<dyn Connector>,
    config: ConnectionConfig,
    backoff: Backoff,
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
}

impl ConnectionPool {
    pub fn new(
        connector: Arc<dyn Connector>,
        config: ConnectionConfig,
        backoff: Backoff,
    ) -> ConnectionPool {
        ConnectionPool {
            connector,
            config,
            backoff,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The settings every connection of this pool opens with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    fn slot(&self, addr: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(addr.to_string()).or_default().clone()
    }

    /// Whether connecting to `addr` now would have to wait for backoff.
    pub fn is_backing_off(&self, addr: &str) -> bool {
        let slot = self.slot(addr);
        let Ok(g) = slot.try_lock() else { return false };
        g.conn.as_ref().is_none_or(|c| c.is_poisoned())
            && g.next_attempt.is_some_and(|t| t > Instant::now())
    }

    /// A healthy connection to `addr`, opening one (after any backoff) if needed.
    pub async fn get(&self, addr: &str) -> Result<Arc<Connection>> {
        let slot = self.slot(addr);
        let mut s = slot.lock().await;
        if let Some(c) = &s.conn {
            if !c.is_poisoned() {
                return Ok(c.clone());
            }
            debug!(addr, "replacing poisoned connection");
            s.conn = None;
            if s.failures == 0 {
                // A connection that died after working still backs off a little before reopening.
                s.failures = 1;
                s.next_attempt = Some(Instant::now() + self.backoff.delay(1));
            }
        }
        if let Some(t) = s.next_attempt {
            tokio::time::sleep_until(t).await;
        }
        match Connection::open(addr, self.connector.as_ref(), self.config.clone()).await {
            Ok(c) => {
                info!(addr, "connected to broker");
                let c = Arc::new(c);
                s.conn = Some(c.clone());
                s.failures = 0;
                s.next_attempt = None;
                Ok(c)
            }
            Err(e) => {
                s.failures = s.failures.saturating_add(1);
                let delay = self.backoff.delay(s.failures);
                s.next_attempt = Some(Instant::now() + delay);
                debug!(addr, error = %e, ?delay, "connect failed; backing off");
                Err(e)
            }
        }
    }

    /// Live connections (for picking the least loaded one).
    pub fn live(&self) -> Vec<Arc<Connection>> {
        let slots: Vec<_> = self
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        slots
            .iter()
            .filter_map(|s| s.try_lock().ok().and_then(|g| g.conn.clone()))
            .filter(|c| !c.is_poisoned())
            .collect()
    }

    /// Closes every connection.
    pub fn close_all(&self) {
        for c in self.live() {
            c.close();
        }
    }
}

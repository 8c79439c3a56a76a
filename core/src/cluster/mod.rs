//! The cluster as one client sees it: bootstrap, metadata, and connections to brokers.
//!
//! Owns bootstrapping from `bootstrap.servers` (each address tried in turn), the metadata cache
//! for the topics clients care about, its refresh every `metadata.max.age.ms` and on demand
//! (stale-metadata errors such as NOT_LEADER_OR_FOLLOWER), and the broker connection pool. It
//! must not implement producer or consumer logic; clients ask it for leaders and connections.

pub mod backoff;
pub mod metadata;
pub mod pool;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{MetadataRequest, MetadataResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use tokio::sync::Notify;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::config::ClientConfig;
use crate::connection::{Connection, ConnectionConfig, Connector, TcpConnector};
use crate::error::{Error, ErrorKind, Result};
pub use backoff::Backoff;
pub use metadata::{BrokerInfo, MetadataSnapshot, TopicMetadata};
use pool::ConnectionPool;

struct Inner {
    config: ClientConfig,
    pool: ConnectionPool,
    snapshot: RwLock<Arc<MetadataSnapshot>>,
    topics: Mutex<BTreeSet<String>>,
    allow_auto_create: bool,
    refresh_lock: tokio::sync::Mutex<()>,
    generation: std::sync::atomic::AtomicU64,
    wake_refresher: Arc<Notify>,
    updated: Notify,
    /// Set by [`Cluster::close`]: the refresher stops, so a closed producer never sends another
    /// Metadata request (one that auto-creates its topics would bring back a deleted topic).
    closed: std::sync::atomic::AtomicBool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Lets the refresher notice the cluster is gone without waiting for metadata.max.age.ms.
        self.wake_refresher.notify_one();
    }
}

/// A handle on the cluster; clones share the cache and the connections.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("bootstrap", &self.inner.config.common.bootstrap_servers)
            .finish()
    }
}

impl Cluster {
    /// Connects to the cluster over TCP and loads broker metadata.
    pub async fn connect(config: ClientConfig) -> Result<Cluster> {
        Cluster::connect_with(config, Arc::new(TcpConnector), true).await
    }

    /// Like [`connect`](Self::connect) with a custom transport and the
    /// `allow_auto_topic_creation` flag for Metadata requests.
    pub async fn connect_with(
        config: ClientConfig,
        connector: Arc<dyn Connector>,
        allow_auto_create: bool,
    ) -> Result<Cluster> {
        let cluster = Cluster::new(config, connector, allow_auto_create)?;
        cluster.refresh().await?;
        Ok(cluster)
    }

    /// A cluster handle that has not talked to any broker yet: metadata loads in the background
    /// (and on first use). Needs no runtime from the caller.
    pub fn new(
        config: ClientConfig,
        connector: Arc<dyn Connector>,
        allow_auto_create: bool,
    ) -> Result<Cluster> {
        config.require_bootstrap()?;
        let backoff = Backoff::new(
            config.common.reconnect_backoff,
            config.common.reconnect_backoff_max,
        );
        let pool = ConnectionPool::new(connector, ConnectionConfig::from_client(&config)?, backoff);
        let cluster = Cluster {
            inner: Arc::new(Inner {
                config,
                pool,
                snapshot: RwLock::new(Arc::new(MetadataSnapshot::default())),
                topics: Mutex::new(BTreeSet::new()),
                allow_auto_create,
                refresh_lock: tokio::sync::Mutex::new(()),
                generation: std::sync::atomic::AtomicU64::new(0),
                wake_refresher: Arc::new(Notify::new()),
                updated: Notify::new(),
                closed: std::sync::atomic::AtomicBool::new(false),
            }),
        };
        let wake = cluster.inner.wake_refresher.clone();
        crate::runtime::spawn(refresher(Arc::downgrade(&cluster.inner), wake));
        cluster.request_refresh();
        Ok(cluster)
    }

    /// The configuration the cluster was built from.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The settings of this client's connections (TLS loaded once; authentication counters
    /// shared), for a connection opened outside the pool.
    pub fn connection_config(&self) -> crate::connection::ConnectionConfig {
        self.inner.pool.config().clone()
    }

    /// Sets (or with `None` removes) the observer of every request this client's connections
    /// finish, answered or timed out: bindings turn them into instrumentation events. Open
    /// connections use it from their next request on.
    pub fn set_request_observer(&self, observer: Option<crate::connection::RequestObserver>) {
        self.inner.pool.config().request_hooks.set(observer);
    }

    /// The authentication counters of every connection this client opened.
    pub fn auth_metrics(&self) -> crate::connection::AuthMetricsSnapshot {
        self.inner.pool.config().auth_metrics.snapshot()
    }

    /// The current metadata snapshot.
    pub fn metadata(&self) -> Arc<MetadataSnapshot> {
        self.inner
            .snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn generation(&self) -> u64 {
        self.inner
            .generation
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Adds topics to those kept in the cache; returns whether any was new.
    pub fn add_topics<I: IntoIterator<Item = S>, S: Into<String>>(&self, topics: I) -> bool {
        let mut set = self.inner.topics.lock().unwrap_or_else(|p| p.into_inner());
        let mut added = false;
        for t in topics {
            added |= set.insert(t.into());
        }
        added
    }

    /// Asks the background refresher to update metadata soon (non-blocking).
    pub fn request_refresh(&self) {
        self.inner.wake_refresher.notify_one();
    }

    /// Requests a refresh if `err` means cached metadata is stale.
    pub fn on_error(&self, err: &Error) {
        if err.invalidates_metadata() {
            self.request_refresh();
        }
    }

    /// Records a new leader learned from a Produce/Fetch response (KIP-951).
    pub fn update_leader(&self, topic: &str, partition: i32, leader: i32, epoch: i32) {
        let mut guard = self
            .inner
            .snapshot
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(s) = guard.with_leader(topic, partition, leader, epoch) {
            *guard = Arc::new(s);
        }
    }

    /// Fetches metadata for every tracked topic now (coalescing concurrent callers).
    pub async fn refresh(&self) -> Result<Arc<MetadataSnapshot>> {
        let seen = self.generation();
        let _g = self.inner.refresh_lock.lock().await;
        if self.generation() != seen {
            return Ok(self.metadata());
        }
        let topics: Vec<String> = self
            .inner
            .topics
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect();
        let resp = self.fetch_metadata(Some(&topics)).await?;
        let snap = Arc::new(self.metadata().merge(&resp, false));
        *self
            .inner
            .snapshot
            .write()
            .unwrap_or_else(|p| p.into_inner()) = snap.clone();
        self.inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        self.inner.updated.notify_waiters();
        Ok(snap)
    }

    /// Sends a raw Metadata request (`None` = every topic) to any reachable broker, falling
    /// back to the bootstrap addresses.
    pub async fn fetch_metadata(&self, topics: Option<&[String]>) -> Result<MetadataResponse> {
        let req = MetadataRequest::default()
            .with_topics(topics.map(|ts| {
                ts.iter()
                    .map(|t| {
                        MetadataRequestTopic::default()
                            .with_name(Some(TopicName(StrBytes::from_string(t.clone()))))
                    })
                    .collect()
            }))
            .with_allow_auto_topic_creation(self.inner.allow_auto_create);
        let mut last_err = None;
        for addr in self.candidate_addrs() {
            let conn = match self.inner.pool.get(&addr).await {
                Ok(c) => c,
                Err(e) => {
                    last_err = Some(e);
                    continue;
                }
            };
            match conn.request(&req).await {
                Ok(r) => return Ok(r),
                Err(e) => {
                    debug!(addr, error = %e, "metadata request failed");
                    last_err = Some(e);
                }
            }
        }
        Err(last_err
            .unwrap_or_else(|| Error::new(ErrorKind::Network, "no broker address to ask"))
            .context(format!(
                "fetching metadata (bootstrap.servers={})",
                self.inner.config.common.bootstrap_servers.join(",")
            )))
    }

    /// Addresses to try for a cluster-wide request: live ones first, then known brokers, then
    /// the bootstrap list.
    fn candidate_addrs(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut live = self.inner.pool.live();
        live.sort_by_key(|c| c.in_flight());
        out.extend(live.iter().map(|c| c.addr().to_string()));
        let snap = self.metadata();
        let mut brokers: Vec<String> = snap.brokers.values().map(BrokerInfo::addr).collect();
        let start = crate::random::below(brokers.len() as u64) as usize;
        brokers.rotate_left(start);
        out.extend(brokers);
        out.extend(self.inner.config.common.bootstrap_servers.iter().cloned());
        let mut seen = BTreeSet::new();
        out.retain(|a| seen.insert(a.clone()));
        let (ready, backing_off): (Vec<_>, Vec<_>) = out
            .into_iter()
            .partition(|a| !self.inner.pool.is_backing_off(a));
        ready.into_iter().chain(backing_off).collect()
    }

    /// The metadata of `topic`, waiting (refreshing with `retry.backoff.ms`) until it exists with
    /// partitions or `deadline` passes.
    pub async fn topic(&self, topic: &str, deadline: Instant) -> Result<Arc<TopicMetadata>> {
        let newly = self.add_topics([topic]);
        let mut last_code = 0;
        let mut first = true;
        loop {
            if let Some(t) = self.metadata().topics.get(topic) {
                if t.error_code == 0 && !t.partitions.is_empty() {
                    return Ok(t.clone());
                }
                last_code = t.error_code;
                if !crate::error::Error::from_code(t.error_code, "").is_retriable()
                    && t.error_code != 0
                {
                    return Err(Error::from_code(
                        t.error_code,
                        format!("metadata for topic {topic}"),
                    ));
                }
            }
            if Instant::now() >= deadline {
                let why = if last_code != 0 {
                    Error::from_code(last_code, format!("topic {topic}")).to_string()
                } else {
                    format!("topic {topic} not present in metadata")
                };
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{why}; gave up after max.block.ms — create the topic or check its name"
                    ),
                ));
            }
            if !(first && newly) {
                let backoff = self.inner.config.common.retry_backoff;
                tokio::time::sleep_until((Instant::now() + backoff).min(deadline)).await;
            }
            first = false;
            // Bounded by the caller's deadline: a broker that stopped answering would otherwise
            // hold this wait for request.timeout.ms. Past the deadline the loop reports Timeout.
            match tokio::time::timeout_at(deadline, self.refresh()).await {
                Err(_) | Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    // Bad credentials or an untrusted certificate do not heal by waiting: report
                    // them now rather than a max.block.ms timeout (as Java's waitOnMetadata does).
                    if e.kind() == ErrorKind::Authentication {
                        return Err(e);
                    }
                    debug!(topic, error = %e, "metadata refresh failed while waiting for topic");
                }
            }
        }
    }

    /// A connection to broker `id` (by metadata), opened with backoff if needed.
    pub async fn broker(&self, id: i32) -> Result<Arc<Connection>> {
        let addr = self
            .metadata()
            .brokers
            .get(&id)
            .map(BrokerInfo::addr)
            .ok_or_else(|| {
                self.request_refresh();
                Error::new(
                    ErrorKind::NotLeader,
                    format!("broker {id} is not in the cluster metadata"),
                )
                .with_retriable(true)
            })?;
        self.inner.pool.get(&addr).await
    }

    /// Whether broker `id` is in reconnect backoff.
    pub fn broker_backing_off(&self, id: i32) -> bool {
        self.metadata()
            .brokers
            .get(&id)
            .is_some_and(|b| self.inner.pool.is_backing_off(&b.addr()))
    }

    /// The least loaded reachable broker (for cluster-wide requests such as InitProducerId).
    pub async fn any_broker(&self) -> Result<Arc<Connection>> {
        let mut last = None;
        for addr in self.candidate_addrs() {
            match self.inner.pool.get(&addr).await {
                Ok(c) => return Ok(c),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::new(ErrorKind::Network, "no broker reachable")))
    }

    /// Waits until the next metadata update (or `timeout`).
    pub async fn wait_for_update(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.inner.updated.notified()).await;
    }

    /// Closes every broker connection; in-flight requests fail.
    pub fn close(&self) {
        self.inner
            .closed
            .store(true, std::sync::atomic::Ordering::Release);
        self.inner.wake_refresher.notify_one();
        self.inner.pool.close_all();
    }
}

/// Refreshes metadata every `metadata.max.age.ms`, and soon after a request (no more often than
/// `retry.backoff.ms`). Stops when the cluster is closed or the last `Cluster` handle is dropped.
async fn refresher(weak: Weak<Inner>, wake: Arc<Notify>) {
    let closed = |i: &Inner| i.closed.load(std::sync::atomic::Ordering::Acquire);
    loop {
        let Some((max_age, backoff)) = weak.upgrade().filter(|i| !closed(i)).map(|i| {
            (
                i.config.common.metadata_max_age,
                i.config.common.retry_backoff,
            )
        }) else {
            return;
        };
        let _ = tokio::time::timeout(max_age, wake.notified()).await;
        let Some(inner) = weak.upgrade().filter(|i| !closed(i)) else {
            return;
        };
        let cluster = Cluster { inner };
        if cluster.metadata().updated_at.elapsed() < backoff {
            tokio::time::sleep(backoff).await;
            if closed(&cluster.inner) {
                return;
            }
        }
        if let Err(e) = cluster.refresh().await {
            warn!(error = %e, "metadata refresh failed; retrying");
            tokio::time::sleep(backoff.max(Duration::from_millis(10)).min(max_age)).await;
            cluster.request_refresh();
        }
    }
}

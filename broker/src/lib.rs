//! ferrokafka-broker: a single-node, Kafka-compatible broker that real Kafka clients and
//! Apache Kafka's own tools use unchanged.
//!
//! The crate is a library first: [`Broker::builder`] configures it with Kafka's setting names,
//! [`BrokerBuilder::start`] binds and returns a [`BrokerHandle`] with the bootstrap address and a
//! graceful shutdown. Modules:
//! - `wire`, `server`: framing, the listener and per-connection loop;
//! - `handler`: one file per Kafka API;
//! - `log`: per-partition segmented log (storage, recovery, retention, idempotence state);
//! - `coordinator`: consumer groups (classic protocol) and committed offsets;
//! - `topics`, `topic_config`, `partition`: topic registry, topic configs, partition locking;
//! - `config`: broker settings.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub mod config;
pub mod coordinator;
mod durable;
pub mod error;
pub mod handler;
pub mod log;
mod meta_properties;
pub mod partition;
mod producer_ids;
pub mod server;
pub mod state;
pub mod topic_config;
pub mod topics;
pub mod wire;

pub use config::BrokerConfig;
pub use error::BrokerError;

use coordinator::{CoordinatorConfig, GroupCoordinator};
use state::{BrokerState, TopicOracleAdapter};
use topics::TopicRegistry;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Entry point: `Broker::builder().data_dir(..).listen("127.0.0.1:0").start().await`.
pub struct Broker;

impl Broker {
    pub fn builder() -> BrokerBuilder {
        BrokerBuilder::default()
    }
}

/// Collects settings (Kafka names) before starting a broker.
#[derive(Default, Clone)]
pub struct BrokerBuilder {
    file: Option<PathBuf>,
    pairs: Vec<(String, String)>,
}

impl BrokerBuilder {
    /// Reads settings from a `server.properties` file; later settings override it.
    pub fn properties_file(mut self, path: impl AsRef<Path>) -> Self {
        self.file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Where data lives (`log.dirs`).
    pub fn data_dir(self, dir: impl AsRef<Path>) -> Self {
        let d = dir.as_ref().display().to_string();
        self.config("log.dirs", d)
    }

    /// The address to listen on, e.g. `127.0.0.1:0` for any free port (`listeners`).
    pub fn listen(self, addr: &str) -> Self {
        self.config("listeners", format!("PLAINTEXT://{addr}"))
    }

    /// Any broker setting by its Kafka name, e.g. `("num.partitions", "3")`.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.pairs.push((key.into(), value.into()));
        self
    }

    /// Opens the data directory (recovering it after a crash), binds, and starts serving.
    pub async fn start(self) -> Result<BrokerHandle, BrokerError> {
        let config = Arc::new(BrokerConfig::from_sources(
            self.file.as_deref(),
            &self.pairs,
        )?);
        let log_dir = config.log_dirs.clone();
        std::fs::create_dir_all(&log_dir).map_err(|e| BrokerError::io(&log_dir, e))?;
        let dir_lock = lock_data_dir(&log_dir)?;
        let cluster_id = meta_properties::load_or_create(&log_dir, config.node_id)?;

        let listener_cfg = config.listeners.first().cloned().ok_or_else(|| {
            BrokerError::Config(config::ConfigError::InvalidValue {
                key: "listeners".into(),
                value: String::new(),
                reason: "at least one listener is needed".into(),
            })
        })?;
        let bind = listener_cfg.bind_addr();
        let listener = TcpListener::bind(&bind)
            .await
            .map_err(|source| BrokerError::Bind {
                addr: bind.clone(),
                source,
            })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| BrokerError::Bind { addr: bind, source })?;

        let started = std::time::Instant::now();
        let topics = Arc::new(TopicRegistry::open(config.clone())?);
        let meta_dir = log_dir.join("__ferrokafka");
        let groups = GroupCoordinator::open(
            &meta_dir.join("groups"),
            CoordinatorConfig {
                broker_id: config.node_id,
                group_min_session_timeout_ms: config.group_min_session_timeout_ms,
                group_max_session_timeout_ms: config.group_max_session_timeout_ms,
                group_initial_rebalance_delay_ms: config.group_initial_rebalance_delay_ms,
                group_max_size: config.group_max_size,
                offsets_retention_ms: config.offsets_retention_minutes * 60_000,
                offset_metadata_max_bytes: config.offset_metadata_max_bytes,
            },
            Arc::new(TopicOracleAdapter(topics.clone())),
        )?;
        let producer_ids = producer_ids::ProducerIdAllocator::open(&meta_dir)?;
        let (advertised_host, advertised_port) = config.advertised(local_addr.port());
        let state = Arc::new(BrokerState {
            node_id: config.node_id,
            cluster_id,
            advertised_host,
            advertised_port: advertised_port as i32,
            topics,
            groups,
            producer_ids,
            appended: watch::channel(0).0,
            config,
        });
        tracing::info!(
            address = %local_addr,
            cluster_id = %state.cluster_id,
            log_dirs = %log_dir.display(),
            recovery_ms = started.elapsed().as_millis() as u64,
            "ferrokafka broker started"
        );

        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let housekeeping = tokio::spawn(housekeeping(state.clone(), shutdown_rx.clone()));
        let serve_state = state.clone();
        let task = tokio::spawn(async move {
            server::serve(listener, serve_state.clone(), shutdown_rx).await;
            let _ = housekeeping.await;
            serve_state.groups.shutdown().await;
            serve_state.topics.close_all();
            drop(dir_lock);
            tracing::info!("ferrokafka broker stopped");
        });
        Ok(BrokerHandle {
            local_addr,
            bootstrap: format!("{}:{}", state.advertised_host, state.advertised_port),
            shutdown: shutdown_tx,
            task: Some(task),
            state,
        })
    }
}

/// Takes `<log.dirs>/.lock` as Kafka does, so two brokers never share a data directory.
/// The lock is released when the file is closed: on shutdown or when the process dies.
fn lock_data_dir(dir: &Path) -> Result<std::fs::File, BrokerError> {
    let path = dir.join(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| BrokerError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(BrokerError::DataDirInUse(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(BrokerError::io(&path, e)),
    }
}

/// Periodic log housekeeping (roll by time, retention, interval flush) and group expiry.
async fn housekeeping(state: Arc<BrokerState>, mut shutdown: watch::Receiver<bool>) {
    let log_every = Duration::from_millis(state.config.log_retention_check_interval_ms.min(1000));
    let groups_every = Duration::from_millis(state.config.offsets_retention_check_interval_ms);
    let mut log_tick = tokio::time::interval(log_every);
    let mut group_tick = tokio::time::interval(groups_every);
    loop {
        tokio::select! {
            _ = log_tick.tick() => {
                let now = now_ms();
                for t in state.topics.all() {
                    for p in &t.partitions {
                        p.housekeeping(now);
                    }
                }
            }
            _ = group_tick.tick() => state.groups.housekeeping(now_ms()),
            _ = shutdown.changed() => break,
        }
    }
}

/// A running broker. Dropping it stops accepting connections; call [`BrokerHandle::shutdown`]
/// to also wait until every log is flushed and closed.
pub struct BrokerHandle {
    local_addr: SocketAddr,
    bootstrap: String,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    state: Arc<BrokerState>,
}

impl BrokerHandle {
    /// The bound address (the real port when configured with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `host:port` for a client's `bootstrap.servers`.
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap
    }

    /// The cluster id stored in `meta.properties`.
    pub fn cluster_id(&self) -> &str {
        &self.state.cluster_id
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

//! One connection to one broker: pipelined requests over a single stream.
//!
//! Owns correlation ids, the map of in-flight requests, a writer task fed by a channel (so a
//! dropped caller never leaves half a frame on the wire), a reader task matching responses to
//! waiters, ApiVersions negotiation on open, and request timeouts. A read/write error or a
//! timeout *poisons* the connection: every waiter fails at once with that error and the pool
//! (in `cluster`) opens a new connection. It must not retry requests or know about metadata.
//!
//! The writer reads two queues: callers' frames, and a priority queue for the connection's own
//! re-authentication (KIP-368, `reauth`), which can pause the callers' queue between requests.

mod auth_metrics;
mod in_flight;
mod link;
mod observer;
mod reauth;
mod sasl;
pub mod tls;
pub mod transport;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::{ApiVersionsRequest, ApiVersionsResponse, SaslAuthenticateRequest};
use kafka_protocol::protocol::{Request, StrBytes};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tracing::{debug, warn};

use crate::config::{ClientConfig, SaslConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::versions::BrokerVersions;
use crate::protocol::{encode_request, read_pooled_frame, response_correlation_id};
pub use auth_metrics::{AuthMetrics, AuthMetricsSnapshot};
pub use in_flight::{InFlight, Unanswered};
use link::Link;
use observer::Timing;
pub use observer::{RequestEvent, RequestHooks, RequestObserver, RequestOutcome};
pub use transport::{BoxTransport, ConnectFuture, Connector, TcpConnector, Transport};

/// Settings of one connection.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    pub client_id: String,
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest response frame accepted; larger prefixes poison the connection.
    pub max_frame_size: usize,
    /// TLS over the TCP stream (`security.protocol=SSL|SASL_SSL`), loaded once per client.
    pub tls: Option<Arc<tls::TlsSetup>>,
    /// SASL after ApiVersions (`security.protocol=SASL_*`).
    pub sasl: Option<Arc<SaslConfig>>,
    /// The client's authentication counters; clones of this config share them.
    pub auth_metrics: Arc<AuthMetrics>,
    /// The client's request observer slot (instrumentation); clones share it.
    pub request_hooks: Arc<RequestHooks>,
}

impl ConnectionConfig {
    /// Derived from the client configuration; reads the TLS certificate files (a bad or missing
    /// file is a config error).
    pub fn from_client(cfg: &ClientConfig) -> Result<ConnectionConfig> {
        let tls = if cfg.security.protocol.uses_tls() {
            Some(Arc::new(tls::TlsSetup::new(&cfg.security.ssl)?))
        } else {
            None
        };
        Ok(ConnectionConfig {
            tls,
            sasl: cfg.security.sasl.clone().map(Arc::new),
            ..ConnectionConfig::plain(cfg)
        })
    }

    /// The settings of `cfg` that need no files: everything but TLS and SASL.
    fn plain(cfg: &ClientConfig) -> ConnectionConfig {
        let fetch = cfg
            .consumer
            .fetch_max_bytes
            .max(cfg.consumer.max_partition_fetch_bytes);
        ConnectionConfig {
            client_id: cfg.common.client_id.clone(),
            request_timeout: cfg.common.request_timeout,
            connect_timeout: cfg.common.socket_connection_setup_timeout,
            max_frame_size: crate::protocol::DEFAULT_MAX_FRAME_SIZE.max(fetch as usize * 2),
            tls: None,
            sasl: None,
            auth_metrics: Arc::default(),
            request_hooks: Arc::default(),
        }
    }
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig::plain(&ClientConfig::default())
    }
}

type Waiter = oneshot::Sender<Result<Bytes>>;

/// A request awaiting its response; `timing` only while a request observer is set.
struct Pending {
    waiter: Waiter,
    timing: Option<Timing>,
}

#[derive(Default)]
struct State {
    pending: HashMap<i32, Pending>,
    poison: Option<Error>,
}

struct Shared {
    /// `host:port`, shared with request events.
    addr: Arc<str>,
    hooks: Arc<RequestHooks>,
    // A std mutex: held only to insert/remove map entries, never across an await.
    state: Mutex<State>,
    closed: watch::Sender<bool>,
    /// Requests written to the socket and not answered yet (re-authentication waits for 0).
    on_wire: AtomicUsize,
    /// Notified when `on_wire` drops to 0.
    idle: Notify,
    /// Successful re-authentications of this connection.
    reauthentications: AtomicUsize,
    /// When the next re-authentication is due (`None` without a session lifetime). The writer
    /// holds callers' frames from then on even if the re-authentication task's timer is late.
    reauth_due: Mutex<Option<std::time::Instant>>,
    /// The writer found a re-authentication overdue.
    reauth_now: Notify,
}

impl Shared {
    fn reauth_due(&self) -> Option<std::time::Instant> {
        *self.reauth_due.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set_reauth_due(&self, due: Option<std::time::Instant>) {
        *self.reauth_due.lock().unwrap_or_else(|p| p.into_inner()) = due;
    }
}

impl Shared {
    /// Notes when a request frame (length prefix, api key, version, correlation id, ...) is
    /// written, for its request event.
    fn mark_sent(&self, frame: &[u8]) {
        let Some(corr) = frame.get(8..12) else { return };
        let corr = i32::from_be_bytes([corr[0], corr[1], corr[2], corr[3]]);
        if let Some(t) = self
            .lock()
            .pending
            .get_mut(&corr)
            .and_then(|p| p.timing.as_mut())
        {
            t.sent_at_ms = Some(observer::now_ms());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The error a waiter gets when the connection went away under it.
    fn closed_error(&self) -> Error {
        self.lock().poison.clone().unwrap_or_else(|| {
            Error::new(
                ErrorKind::Network,
                format!("connection to {} closed", self.addr),
            )
        })
    }

    /// Fails every waiter with `err` and stops both tasks. Only the first poison counts.
    fn poison(&self, err: Error) {
        let pending = {
            let mut st = self.lock();
            if st.poison.is_some() {
                return;
            }
            st.poison = Some(err.clone());
            std::mem::take(&mut st.pending)
        };
        debug!(addr = %self.addr, error = %err, waiters = pending.len(), "connection poisoned");
        for (_, p) in pending {
            let _ = p.waiter.send(Err(err.clone()));
        }
        let _ = self.closed.send(true);
    }
}

enum WriteCmd {
    Frame {
        frame: Bytes,
        /// Told once the frame is written (requests the broker does not answer).
        written: Option<oneshot::Sender<Result<()>>>,
        /// Whether the broker answers this frame.
        answered: bool,
    },
    /// Stop taking callers' frames (priority queue only); acknowledged once in effect.
    Pause(oneshot::Sender<()>),
    /// Take callers' frames again.
    Resume,
}

/// A live connection to one broker. Cheap to share behind an `Arc`.
pub struct Connection {
    shared: Arc<Shared>,
    /// Callers' requests.
    link: Link,
    /// The same path over the writer's priority queue (re-authentication).
    priority: Link,
    versions: BrokerVersions,
    config: ConnectionConfig,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("addr", &self.shared.addr)
            .finish()
    }
}

impl Connection {
    /// Opens a connection to `addr` and negotiates API versions.
    ///
    /// With TLS configured the connector's stream is wrapped in TLS first; with SASL the
    /// connection authenticates after ApiVersions and before it is returned.
    pub async fn open(
        addr: &str,
        connector: &dyn Connector,
        config: ConnectionConfig,
    ) -> Result<Connection> {
        let mut transport = connector.connect(addr, config.connect_timeout).await?;
        if let Some(tls) = &config.tls {
            transport = tls.wrap(addr, transport, config.connect_timeout).await?;
        }
        let sasl = config.sasl.clone();
        let mut conn = Connection::start(addr, transport, config);
        let versions = conn.negotiate_versions().await?;
        conn.versions = versions;
        if let Some(sasl) = sasl {
            let version = conn.version::<SaslAuthenticateRequest>()?;
            let metrics = conn.config.auth_metrics.clone();
            let authenticated = sasl::authenticate(&conn.link, version, &sasl).await;
            metrics.authentication(authenticated.is_ok());
            let lifetime_ms = authenticated?;
            if lifetime_ms > 0 {
                // KIP-368: authenticate again before the broker's session ends.
                crate::runtime::spawn(reauth::run(
                    conn.priority.clone(),
                    sasl,
                    metrics,
                    version,
                    lifetime_ms,
                ));
            }
        }
        Ok(conn)
    }

    /// Starts the reader and writer tasks over an already open transport (no negotiation).
    pub fn start(addr: &str, transport: BoxTransport, config: ConnectionConfig) -> Connection {
        let (rd, wr) = tokio::io::split(transport);
        let (closed_tx, closed_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            addr: Arc::from(addr),
            hooks: config.request_hooks.clone(),
            state: Mutex::new(State::default()),
            closed: closed_tx,
            on_wire: AtomicUsize::new(0),
            idle: Notify::new(),
            reauthentications: AtomicUsize::new(0),
            reauth_due: Mutex::new(None),
            reauth_now: Notify::new(),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let (priority_tx, priority_rx) = mpsc::unbounded_channel();
        crate::runtime::spawn(writer_task(
            wr,
            rx,
            priority_rx,
            shared.clone(),
            closed_rx.clone(),
        ));
        crate::runtime::spawn(reader_task(
            rd,
            shared.clone(),
            closed_rx,
            config.max_frame_size,
        ));
        let link = Link {
            shared: shared.clone(),
            writer: tx,
            next_correlation: Arc::new(AtomicI32::new(1)),
            client_id: config.client_id.clone(),
            request_timeout: config.request_timeout,
        };
        let priority = Link {
            writer: priority_tx,
            ..link.clone()
        };
        Connection {
            shared,
            link,
            priority,
            versions: BrokerVersions::default(),
            config,
        }
    }

    async fn negotiate_versions(&self) -> Result<BrokerVersions> {
        let req = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("ferrokafka"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        // A broker that does not know v3 answers with a v0 body listing its ApiVersions range.
        let resp = match self.request_raw(&req, 3, None).await {
            Ok(r) if r.error_code == 0 => r,
            Ok(r) if r.error_code != 35 => {
                return Err(Error::from_code(r.error_code, "ApiVersions"))
            }
            Err(e) if e.kind() != ErrorKind::Protocol => return Err(e),
            _ => {
                let r: ApiVersionsResponse = self.request_raw(&req, 0, None).await?;
                if r.error_code != 0 {
                    return Err(Error::from_code(r.error_code, "ApiVersions v0"));
                }
                r
            }
        };
        Ok(BrokerVersions::from_response(&resp))
    }

    /// The broker address this connection talks to.
    pub fn addr(&self) -> &str {
        &self.shared.addr
    }

    /// The broker's supported versions.
    pub fn versions(&self) -> &BrokerVersions {
        &self.versions
    }

    /// The version that will be used for request type `R`.
    pub fn version<R: Request>(&self) -> Result<i16> {
        self.versions.pick::<R>()
    }

    /// Whether an I/O error or timeout has made this connection unusable.
    pub fn is_poisoned(&self) -> bool {
        self.shared.lock().poison.is_some()
    }

    /// Requests awaiting a response.
    pub fn in_flight(&self) -> usize {
        self.shared.lock().pending.len()
    }

    /// How often this connection re-authenticated (KIP-368) since it opened.
    pub fn reauthentications(&self) -> usize {
        self.shared.reauthentications.load(Ordering::Relaxed)
    }

    /// Sends `req` at the highest common version and waits for its response.
    pub async fn request<R: Request>(&self, req: &R) -> Result<R::Response> {
        let v = self.version::<R>()?;
        self.request_raw(req, v, None).await
    }

    /// Sends `req` at the highest common version with a custom timeout (e.g. JoinGroup, which
    /// the broker may hold for the rebalance timeout).
    pub async fn request_with_timeout<R: Request>(
        &self,
        req: &R,
        timeout: Duration,
    ) -> Result<R::Response> {
        let v = self.version::<R>()?;
        self.request_raw(req, v, Some(timeout)).await
    }

    /// Sends `req` at an explicit `version` and waits for the response.
    pub async fn request_raw<R: Request>(
        &self,
        req: &R,
        version: i16,
        timeout: Option<Duration>,
    ) -> Result<R::Response> {
        self.link.request_raw(req, version, timeout).await
    }

    /// Queues `req` at the highest common version and returns without waiting: frames reach
    /// the broker in the order of these calls. `timeout` defaults to `request.timeout.ms`.
    pub fn send<R: Request>(&self, req: &R, timeout: Option<Duration>) -> Result<InFlight<R>> {
        let v = self.version::<R>()?;
        self.send_raw(req, v, timeout)
    }

    /// [`send`](Self::send) at an explicit `version`.
    pub fn send_raw<R: Request>(
        &self,
        req: &R,
        version: i16,
        timeout: Option<Duration>,
    ) -> Result<InFlight<R>> {
        self.link.send_raw(req, version, timeout)
    }

    /// Sends a request the broker will not answer (Produce with `acks=0`); resolves once the
    /// frame is written.
    pub async fn send_no_response<R: Request>(&self, req: &R) -> Result<()> {
        self.queue_no_response(req)?.written().await
    }

    /// Queues a request the broker will not answer, in call order like [`send`](Self::send).
    pub fn queue_no_response<R: Request>(&self, req: &R) -> Result<Unanswered> {
        let version = self.version::<R>()?;
        let corr = self.link.next_correlation();
        let frame = encode_request(req, version, corr, &self.config.client_id)?;
        if let Some(e) = &self.shared.lock().poison {
            return Err(e.clone());
        }
        let (tx, rx) = oneshot::channel();
        self.link.enqueue(frame, Some(tx), false)?;
        Ok(Unanswered {
            shared: self.shared.clone(),
            rx,
        })
    }

    /// Closes the connection, failing any waiter.
    pub fn close(&self) {
        self.shared.poison(Error::new(
            ErrorKind::Closed,
            format!("connection to {} was closed by the client", self.addr()),
        ));
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.close();
    }
}

async fn writer_task(
    mut wr: tokio::io::WriteHalf<BoxTransport>,
    mut rx: mpsc::UnboundedReceiver<WriteCmd>,
    mut priority: mpsc::UnboundedReceiver<WriteCmd>,
    shared: Arc<Shared>,
    mut closed: watch::Receiver<bool>,
) {
    // While re-authenticating, callers' frames wait in `rx` (KIP-368: nothing else may go out
    // between SaslHandshake and the end of the SASL exchange).
    let mut paused = false;
    // A caller's frame taken while a re-authentication was overdue: written after it.
    let mut held: Option<WriteCmd> = None;
    loop {
        let cmd = match held.take() {
            Some(cmd) if !paused => cmd,
            other => {
                held = other;
                let (cmd, from_caller) = tokio::select! {
                    biased;
                    _ = closed.changed() => break,
                    cmd = priority.recv() => match cmd { Some(c) => (c, false), None => break },
                    cmd = rx.recv(), if !paused && held.is_none() => match cmd {
                        Some(c) => (c, true),
                        None => break,
                    },
                };
                if from_caller
                    && shared
                        .reauth_due()
                        .is_some_and(|due| std::time::Instant::now() >= due)
                {
                    // Nothing of the caller's may reach a broker whose session is ending.
                    held = Some(cmd);
                    paused = true;
                    shared.reauth_now.notify_one();
                    continue;
                }
                cmd
            }
        };
        let (frame, written, answered) = match cmd {
            WriteCmd::Frame {
                frame,
                written,
                answered,
            } => (frame, written, answered),
            WriteCmd::Pause(ack) => {
                paused = true;
                let _ = ack.send(());
                continue;
            }
            WriteCmd::Resume => {
                paused = false;
                continue;
            }
        };
        if answered {
            // Counted before the write, so the response can never be seen first.
            shared.on_wire.fetch_add(1, Ordering::AcqRel);
            if shared.hooks.enabled() {
                shared.mark_sent(&frame);
            }
        }
        // write_all runs to completion here: callers only hand frames over the channel.
        let res = async {
            wr.write_all(&frame).await?;
            if priority.is_empty() && (paused || rx.is_empty()) {
                wr.flush().await?;
            }
            Ok::<_, std::io::Error>(())
        }
        .await;
        match res {
            Ok(()) => {
                if let Some(w) = written {
                    let _ = w.send(Ok(()));
                }
            }
            Err(e) => {
                let err = Error::network(format!("writing to {}", shared.addr), e);
                warn!(error = %err, "broker write failed");
                if let Some(w) = written {
                    let _ = w.send(Err(err.clone()));
                }
                shared.poison(err);
                break;
            }
        }
    }
    let _ = wr.shutdown().await;
}

/// The largest response buffer a connection keeps for reuse: larger ones (a fetch.max.bytes
/// raised past this) are freed after use, as before pooling.
const FRAME_POOL_MAX_BUFFER: usize = 64 * 1024 * 1024;

async fn reader_task(
    mut rd: tokio::io::ReadHalf<BoxTransport>,
    shared: Arc<Shared>,
    mut closed: watch::Receiver<bool>,
    max_frame: usize,
) {
    // An end of stream before any response usually means the listener expected something else
    // (TLS, or SASL first): say so, as the client otherwise just reconnects.
    let mut answered = false;
    // Fetch responses are read into recycled buffers: no page faults and zero-filling per
    // response (`ferrokafka_protocol::frame_pool`). Two are enough for the next response while
    // the application still holds the last one's records.
    let pool = ferrokafka_protocol::FramePool::new(2, FRAME_POOL_MAX_BUFFER);
    loop {
        let frame = tokio::select! {
            _ = closed.changed() => return,
            f = read_pooled_frame(&mut rd, max_frame, &pool) => f,
        };
        let frame = match frame {
            Ok(Some(f)) => f,
            Ok(None) => {
                let hint = if answered {
                    ""
                } else {
                    " before answering anything (if this listener uses TLS or SASL, set \
                     security.protocol and the ssl./sasl. settings to match)"
                };
                shared.poison(Error::new(
                    ErrorKind::Network,
                    format!(
                        "broker {} closed the connection{hint}; the client reconnects",
                        shared.addr
                    ),
                ));
                return;
            }
            Err(e) => {
                shared.poison(e.context(format!("reading from {}", shared.addr)));
                return;
            }
        };
        let before = shared
            .on_wire
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_sub(1))
            })
            .unwrap_or(0);
        if before <= 1 {
            shared.idle.notify_waiters();
        }
        let corr = match response_correlation_id(&frame) {
            Ok(c) => c,
            Err(e) => {
                shared.poison(e);
                return;
            }
        };
        answered = true;
        let waiter = shared.lock().pending.remove(&corr);
        match waiter {
            Some(p) => {
                let size = frame.len();
                let _ = p.waiter.send(Ok(frame));
                if let Some(t) = p.timing {
                    shared.hooks.report(t.event(&shared.addr, corr, Some(size)));
                }
            }
            None => debug!(addr = %shared.addr, corr, "response for a request nobody awaits"),
        }
    }
}

#[cfg(test)]
mod tests;

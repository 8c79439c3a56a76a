//! Starting a broker: [`Broker::builder`] collects settings by their Kafka names and
//! [`BrokerBuilder::start`] opens the data directory, recovers it, binds every listener and
//! spawns the server on the caller's tokio runtime. It owns start-up order only; serving lives
//! in `server`, the running broker in `handle`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::{self, BrokerConfig};
use crate::context::{AllowAll, Authorizer, SecurityProtocol};
use crate::coordinator::{CoordinatorConfig, GroupCoordinator};
use crate::error::BrokerError;
use crate::group_config::GroupConfigStore;
use crate::handle::BrokerHandle;
use crate::security::acl::{AclAuthorizer, AclStore};
use crate::security::credentials::{AddScram, CredentialStore};
use crate::security::scram::ScramCredential;
use crate::security::{self, ListenerSecurity};
use crate::state::{BrokerState, Endpoint, TopicOracleAdapter};
use crate::topics::TopicRegistry;
use crate::{data_dir, housekeeping, meta_properties, producer_ids, server};

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
    add_scram: Vec<String>,
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

    /// Creates (or replaces) a SCRAM credential at start, as `kafka-storage format --add-scram`
    /// does: `SCRAM-SHA-512=[name=alice,password=alice-secret]`.
    pub fn add_scram(mut self, spec: impl Into<String>) -> Self {
        self.add_scram.push(spec.into());
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
        let dir_lock = data_dir::lock(&log_dir)?;
        let cluster_id = meta_properties::load_or_create(&log_dir, config.node_id)?;
        let meta_dir = log_dir.join("__ferrokafka");
        std::fs::create_dir_all(&meta_dir).map_err(|e| BrokerError::io(&meta_dir, e))?;
        let credentials = Arc::new(CredentialStore::open(&meta_dir)?);
        add_scram_credentials(&credentials, &self.add_scram)?;

        let bound = bind_listeners(&config, &credentials).await?;
        let local_addr = bound[0].1;
        let listeners = bound
            .iter()
            .map(|(e, addr, _, _)| (e.listener.name.clone(), *addr))
            .collect();

        let started = std::time::Instant::now();
        let topics = Arc::new(TopicRegistry::open(config.clone())?);
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
        let endpoints = bound.iter().map(|(e, _, _, _)| e.clone()).collect();
        let state = Arc::new(BrokerState {
            node_id: config.node_id,
            cluster_id,
            endpoints,
            authorizer: authorizer(&config, &meta_dir)?,
            credentials,
            topics,
            groups,
            group_configs: GroupConfigStore::open(&meta_dir)?,
            quotas: crate::quotas::QuotaStore::open(&meta_dir)?,
            producer_ids,
            appended: watch::channel(0).0,
            fetch_sessions: crate::handler::fetch_session::FetchSessionCache::new(&config),
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
        let housekeeping = tokio::spawn(housekeeping::run(state.clone(), shutdown_rx.clone()));
        let serve_state = state.clone();
        let task = tokio::spawn(async move {
            // One accept loop per listener; each drains its own connections on shutdown.
            let servers: Vec<_> = bound
                .into_iter()
                .map(|(endpoint, _, listener, security)| {
                    let state = serve_state.clone();
                    tokio::spawn(server::serve(
                        listener,
                        endpoint,
                        security,
                        state,
                        shutdown_rx.clone(),
                    ))
                })
                .collect();
            for server in servers {
                let _ = server.await;
            }
            let _ = housekeeping.await;
            serve_state.groups.shutdown().await;
            serve_state.topics.close_all();
            drop(dir_lock);
            tracing::info!(
                fetch_sessions = ?serve_state.fetch_sessions.metrics(),
                "ferrokafka broker stopped"
            );
        });
        Ok(BrokerHandle {
            local_addr,
            listeners,
            bootstrap: {
                let e = state.endpoint("");
                format!("{}:{}", e.host, e.port)
            },
            shutdown: shutdown_tx,
            task: Some(task),
            state,
        })
    }
}

/// The authoriser: ACLs when `authorizer.class.name` is set (Kafka's StandardAuthorizer or
/// AclAuthorizer name), else allow-all as Kafka without an authoriser.
fn authorizer(config: &BrokerConfig, meta_dir: &Path) -> Result<Arc<dyn Authorizer>, BrokerError> {
    let class = config
        .given
        .get("authorizer.class.name")
        .map(|s| s.trim())
        .unwrap_or("");
    if class.is_empty() {
        return Ok(Arc::new(AllowAll));
    }
    if !class.ends_with("StandardAuthorizer") && !class.ends_with("AclAuthorizer") {
        tracing::warn!(
            class,
            "unknown authorizer.class.name; using ACLs (Kafka's StandardAuthorizer rules)"
        );
    }
    let super_users = config
        .given
        .get("super.users")
        .map(|s| {
            s.split(';')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let allow_if_no_acl = match config
        .given
        .get("allow.everyone.if.no.acl.found")
        .map(|s| s.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(BrokerError::Config(config::ConfigError::InvalidValue {
                key: "allow.everyone.if.no.acl.found".into(),
                value: other.to_string(),
                reason: "expected true or false".into(),
            }))
        }
    };
    Ok(Arc::new(AclAuthorizer {
        store: Arc::new(AclStore::open(meta_dir)?),
        super_users,
        allow_if_no_acl,
    }))
}

/// Applies `--add-scram` specs to the credential store (only the salted hashes are kept).
fn add_scram_credentials(store: &CredentialStore, specs: &[String]) -> Result<(), BrokerError> {
    let mut upserts = Vec::new();
    for spec in specs {
        let a = AddScram::parse(spec).map_err(|reason| {
            BrokerError::Config(config::ConfigError::InvalidValue {
                key: "--add-scram".into(),
                value: "<hidden>".into(),
                reason,
            })
        })?;
        let cred = ScramCredential::from_password(a.mechanism, &a.password, a.iterations);
        tracing::info!(user = %a.user, mechanism = a.mechanism.name(), "SCRAM credential added");
        upserts.push((a.user, a.mechanism, cred));
    }
    if !upserts.is_empty() {
        store.apply(upserts, Vec::new())?;
    }
    Ok(())
}

fn tls_acceptor(
    config: &BrokerConfig,
    listener: &str,
) -> Result<tokio_rustls::TlsAcceptor, BrokerError> {
    Ok(tokio_rustls::TlsAcceptor::from(
        security::tls::server_config(config, listener)?,
    ))
}

/// Binds every client listener with the address advertised for it and its security (SASL
/// settings); at least one must be bound.
async fn bind_listeners(
    config: &BrokerConfig,
    credentials: &Arc<CredentialStore>,
) -> Result<Vec<(Endpoint, SocketAddr, TcpListener, ListenerSecurity)>, BrokerError> {
    let mut bound = Vec::new();
    for listener in config.client_listeners() {
        let protocol = config.security_protocol(listener).ok_or_else(|| {
            BrokerError::Config(config::ConfigError::InvalidValue {
                key: "listener.security.protocol.map".into(),
                value: listener.name.clone(),
                reason: format!(
                    "listener {} has no security protocol: name it PLAINTEXT/SSL/SASL_PLAINTEXT/SASL_SSL or map it in listener.security.protocol.map",
                    listener.name
                ),
            })
        })?;
        let mut security = ListenerSecurity::default();
        match protocol {
            SecurityProtocol::Plaintext => {}
            SecurityProtocol::SaslPlaintext => {
                security.sasl = Some(Arc::new(security::sasl_settings(
                    config,
                    &listener.name,
                    credentials.clone(),
                )?));
            }
            SecurityProtocol::Ssl => {
                security.tls = Some(tls_acceptor(config, &listener.name)?);
            }
            SecurityProtocol::SaslSsl => {
                security.tls = Some(tls_acceptor(config, &listener.name)?);
                security.sasl = Some(Arc::new(security::sasl_settings(
                    config,
                    &listener.name,
                    credentials.clone(),
                )?));
            }
        }
        let bind = listener.bind_addr();
        let tcp = TcpListener::bind(&bind)
            .await
            .map_err(|source| BrokerError::Bind {
                addr: bind.clone(),
                source,
            })?;
        let addr = tcp
            .local_addr()
            .map_err(|source| BrokerError::Bind { addr: bind, source })?;
        let (host, port) = config.advertised_for(listener, addr.port());
        let endpoint = Endpoint {
            listener: listener.clone(),
            security_protocol: protocol,
            host,
            port: i32::from(port),
        };
        bound.push((endpoint, addr, tcp, security));
    }
    if bound.is_empty() {
        return Err(BrokerError::Config(config::ConfigError::InvalidValue {
            key: "listeners".into(),
            value: config
                .listeners
                .iter()
                .map(|l| format!("{}://{}", l.name, l.bind_addr()))
                .collect::<Vec<_>>()
                .join(","),
            reason: "no listener to serve clients on; add one, e.g. PLAINTEXT://localhost:9092"
                .into(),
        }));
    }
    Ok(bound)
}

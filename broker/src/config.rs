//! Broker settings under Apache Kafka's names and with Kafka's defaults, read from a
//! `server.properties` file and `--override key=value` pairs.
//!
//! Owns parsing and validation only. Keys that configure Kafka features a single node has no use
//! for (controller quorum, replication, SASL listeners...) are accepted and ignored with a log
//! line, so an existing `server.properties` works unchanged; a malformed value of a key we do use
//! is an error that names the key.

use std::collections::BTreeMap;

use crate::context::SecurityProtocol;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// A problem with the broker configuration. The message names the key and what to do.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("invalid value {value:?} for `{key}`: {reason}")]
    InvalidValue {
        key: String,
        value: String,
        reason: String,
    },
    #[error("cannot read properties file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot parse properties file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("`--override` takes key=value, got {0:?}")]
    Override(String),
}

/// The listener the broker binds, as in `listeners=PLAINTEXT://host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub name: String,
    /// Host as written; empty means every interface, as in Kafka.
    pub host: String,
    pub port: u16,
}

impl Listener {
    fn parse(key: &str, value: &str) -> Result<Vec<Listener>, ConfigError> {
        let invalid = |reason: &str| ConfigError::InvalidValue {
            key: key.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        };
        let mut out = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, rest) = item.split_once("://").ok_or_else(|| {
                invalid("expected NAME://host:port, e.g. PLAINTEXT://localhost:9092")
            })?;
            let (host, port) = rest
                .rsplit_once(':')
                .ok_or_else(|| invalid("missing :port, e.g. PLAINTEXT://localhost:9092"))?;
            let port: u16 = port
                .parse()
                .map_err(|_| invalid("the port must be a number from 0 to 65535"))?;
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            out.push(Listener {
                name: name.to_string(),
                host,
                port,
            });
        }
        if out.is_empty() {
            return Err(invalid("at least one listener is needed"));
        }
        Ok(out)
    }

    /// The address to bind: an empty host binds every interface, as Kafka does.
    pub fn bind_addr(&self) -> String {
        let host = if self.host.is_empty() {
            "0.0.0.0"
        } else {
            &self.host
        };
        if host.contains(':') {
            format!("[{host}]:{}", self.port)
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Every broker setting the broker acts on, with Kafka's defaults.
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    pub node_id: i32,
    pub listeners: Vec<Listener>,
    pub advertised_listeners: Option<Vec<Listener>>,
    pub log_dirs: PathBuf,
    pub num_partitions: i32,
    pub default_replication_factor: i16,
    pub auto_create_topics_enable: bool,
    pub delete_topic_enable: bool,
    pub log_retention_ms: i64,
    pub log_retention_bytes: i64,
    pub log_segment_bytes: u64,
    pub log_roll_ms: i64,
    pub log_index_interval_bytes: u32,
    pub log_index_size_max_bytes: u32,
    pub log_flush_interval_messages: u64,
    pub log_flush_interval_ms: i64,
    pub log_retention_check_interval_ms: u64,
    pub log_message_timestamp_type: String,
    pub log_cleanup_policy: String,
    pub message_max_bytes: u32,
    pub socket_request_max_bytes: u32,
    pub max_connections: usize,
    pub offsets_retention_minutes: i64,
    pub offsets_retention_check_interval_ms: u64,
    pub offset_metadata_max_bytes: usize,
    pub group_initial_rebalance_delay_ms: i32,
    pub group_min_session_timeout_ms: i32,
    pub group_max_session_timeout_ms: i32,
    pub group_max_size: i32,
    pub producer_id_expiration_ms: i64,
    /// Every key as given (file, then overrides), for DescribeConfigs on the broker resource.
    pub given: BTreeMap<String, String>,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            node_id: 1,
            listeners: vec![Listener {
                name: "PLAINTEXT".into(),
                host: "localhost".into(),
                port: 9092,
            }],
            advertised_listeners: None,
            log_dirs: PathBuf::from("./data"),
            num_partitions: 1,
            default_replication_factor: 1,
            auto_create_topics_enable: true,
            delete_topic_enable: true,
            log_retention_ms: 168 * 3_600_000,
            log_retention_bytes: -1,
            log_segment_bytes: 1 << 30,
            log_roll_ms: 168 * 3_600_000,
            log_index_interval_bytes: 4096,
            log_index_size_max_bytes: 10 * 1024 * 1024,
            log_flush_interval_messages: u64::MAX,
            log_flush_interval_ms: i64::MAX,
            log_retention_check_interval_ms: 300_000,
            log_message_timestamp_type: "CreateTime".into(),
            log_cleanup_policy: "delete".into(),
            message_max_bytes: 1_048_588,
            socket_request_max_bytes: 104_857_600,
            max_connections: i32::MAX as usize,
            offsets_retention_minutes: 10_080,
            offsets_retention_check_interval_ms: 600_000,
            offset_metadata_max_bytes: 4096,
            group_initial_rebalance_delay_ms: 3000,
            group_min_session_timeout_ms: 6000,
            group_max_session_timeout_ms: 1_800_000,
            group_max_size: i32::MAX,
            producer_id_expiration_ms: 86_400_000,
            given: BTreeMap::new(),
        }
    }
}

/// Keys read from `given` by the listener security code (`security/`, `server`): in force, so
/// not reported as having no effect.
const READ_BY_SECURITY: &[&str] = &[
    "listener.security.protocol.map",
    "listener.name.",
    "ssl.",
    "sasl.enabled.mechanisms",
    "sasl.server.max.receive.size",
    "connections.max.reauth.ms",
    "authorizer.class.name",
    "super.users",
    "allow.everyone.if.no.acl.found",
];

/// Keys of Kafka's that a single-node broker accepts and has no use for.
const IGNORED_PREFIXES: &[&str] = &[
    "process.roles",
    "controller.",
    "inter.broker.",
    "listener.security.protocol.map",
    "num.network.threads",
    "num.io.threads",
    "num.recovery.threads",
    "num.replica.",
    "replica.",
    "socket.send.buffer.bytes",
    "socket.receive.buffer.bytes",
    "offsets.topic.",
    "transaction.state.log.",
    "share.coordinator.",
    "sasl.",
    "ssl.",
    "listener.name.",
    "connections.max.reauth.ms",
    "security.inter.broker.protocol",
    "authorizer.class.name",
    "super.users",
    "allow.everyone.if.no.acl.found",
    "min.insync.replicas",
    "unclean.leader.election.enable",
    "zookeeper.",
    "metadata.log.",
    "log.cleaner.",
    "broker.rack",
];

impl BrokerConfig {
    /// Reads a `server.properties` file, then applies `overrides` (later wins).
    pub fn from_sources(
        file: Option<&Path>,
        overrides: &[(String, String)],
    ) -> Result<BrokerConfig, ConfigError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(path) = file {
            let f = std::fs::File::open(path).map_err(|source| ConfigError::File {
                path: path.to_path_buf(),
                source,
            })?;
            let map = java_properties::read(std::io::BufReader::new(f)).map_err(|e| {
                ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                }
            })?;
            let mut sorted: Vec<_> = map.into_iter().collect();
            sorted.sort();
            pairs.extend(sorted);
        }
        pairs.extend(overrides.iter().cloned());
        BrokerConfig::from_pairs(pairs)
    }

    /// Builds a config from key/value pairs, validating every key the broker acts on.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<BrokerConfig, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut cfg = BrokerConfig::default();
        // Kafka's precedence among retention keys: ms over minutes over hours.
        let (mut ret_hours, mut ret_minutes, mut ret_ms) = (None, None, None);
        let (mut roll_hours, mut roll_ms) = (None, None);
        for (k, v) in pairs {
            let (key, value): (String, String) = (k.into(), v.into());
            let value = value.trim().to_string();
            cfg.given.insert(key.clone(), value.clone());
            let v = value.as_str();
            match key.as_str() {
                "node.id" | "broker.id" => cfg.node_id = num(&key, v)?,
                "listeners" => cfg.listeners = Listener::parse(&key, v)?,
                "advertised.listeners" => {
                    cfg.advertised_listeners = Some(Listener::parse(&key, v)?)
                }
                "log.dirs" | "log.dir" => {
                    let first = v.split(',').next().unwrap_or("").trim();
                    if first.is_empty() {
                        return Err(invalid(&key, v, "a directory path is needed"));
                    }
                    cfg.log_dirs = PathBuf::from(first);
                }
                "num.partitions" => cfg.num_partitions = positive(&key, v)?,
                "default.replication.factor" => cfg.default_replication_factor = num(&key, v)?,
                "auto.create.topics.enable" => cfg.auto_create_topics_enable = boolean(&key, v)?,
                "delete.topic.enable" => cfg.delete_topic_enable = boolean(&key, v)?,
                "log.retention.hours" => ret_hours = Some(num::<i64>(&key, v)?),
                "log.retention.minutes" => ret_minutes = Some(num::<i64>(&key, v)?),
                "log.retention.ms" => ret_ms = Some(num::<i64>(&key, v)?),
                "log.retention.bytes" => cfg.log_retention_bytes = num(&key, v)?,
                "log.segment.bytes" => cfg.log_segment_bytes = positive::<u64>(&key, v)?,
                "log.roll.hours" => roll_hours = Some(num::<i64>(&key, v)?),
                "log.roll.ms" => roll_ms = Some(num::<i64>(&key, v)?),
                "log.index.interval.bytes" => cfg.log_index_interval_bytes = num(&key, v)?,
                "log.index.size.max.bytes" => cfg.log_index_size_max_bytes = positive(&key, v)?,
                "log.flush.interval.messages" => {
                    cfg.log_flush_interval_messages = positive(&key, v)?
                }
                "log.flush.interval.ms" => cfg.log_flush_interval_ms = positive(&key, v)?,
                "log.retention.check.interval.ms" => {
                    cfg.log_retention_check_interval_ms = positive(&key, v)?
                }
                "log.message.timestamp.type" => {
                    if v != "CreateTime" && v != "LogAppendTime" {
                        return Err(invalid(&key, v, "expected CreateTime or LogAppendTime"));
                    }
                    cfg.log_message_timestamp_type = v.to_string();
                }
                "log.cleanup.policy" => cfg.log_cleanup_policy = v.to_string(),
                "message.max.bytes" => cfg.message_max_bytes = positive(&key, v)?,
                "socket.request.max.bytes" => cfg.socket_request_max_bytes = positive(&key, v)?,
                "max.connections" => cfg.max_connections = positive(&key, v)?,
                "offsets.retention.minutes" => cfg.offsets_retention_minutes = positive(&key, v)?,
                "offsets.retention.check.interval.ms" => {
                    cfg.offsets_retention_check_interval_ms = positive(&key, v)?
                }
                "offset.metadata.max.bytes" => cfg.offset_metadata_max_bytes = num(&key, v)?,
                "group.initial.rebalance.delay.ms" => {
                    cfg.group_initial_rebalance_delay_ms = num(&key, v)?
                }
                "group.min.session.timeout.ms" => cfg.group_min_session_timeout_ms = num(&key, v)?,
                "group.max.session.timeout.ms" => cfg.group_max_session_timeout_ms = num(&key, v)?,
                "group.max.size" => cfg.group_max_size = positive(&key, v)?,
                "producer.id.expiration.ms" => cfg.producer_id_expiration_ms = positive(&key, v)?,
                other if READ_BY_SECURITY.iter().any(|p| other.starts_with(p)) => {}
                other if IGNORED_PREFIXES.iter().any(|p| other.starts_with(p)) => {
                    tracing::debug!(key = other, "setting has no effect on a single-node broker");
                }
                other => {
                    tracing::warn!(key = other, "unknown broker setting ignored");
                }
            }
        }
        if let Some(ms) = ret_ms.or(ret_minutes.map(|m| m * 60_000)) {
            cfg.log_retention_ms = ms;
        } else if let Some(h) = ret_hours {
            cfg.log_retention_ms = h * 3_600_000;
        }
        if let Some(ms) = roll_ms.or(roll_hours.map(|h| h * 3_600_000)) {
            cfg.log_roll_ms = ms;
        }
        Ok(cfg)
    }

    /// The address clients are told to connect to for `listener`: the advertised listener of
    /// the same name, else the listener's own host (`localhost` for a wildcard), with the bound
    /// port wherever the configured port is 0.
    pub fn advertised_for(&self, listener: &Listener, bound_port: u16) -> (String, u16) {
        let advertised = self
            .advertised_listeners
            .as_ref()
            .and_then(|v| v.iter().find(|a| a.name == listener.name).cloned());
        match advertised {
            Some(l) => {
                let port = if l.port == 0 { bound_port } else { l.port };
                (l.host, port)
            }
            None => {
                let host = match listener.host.as_str() {
                    "" | "0.0.0.0" | "::" => "localhost".to_string(),
                    h => h.to_string(),
                };
                (host, bound_port)
            }
        }
    }

    /// The security protocol of a listener: `listener.security.protocol.map`, else the
    /// listener's name when it is a protocol name (Kafka's rule). `None` when neither says.
    pub fn security_protocol(&self, listener: &Listener) -> Option<SecurityProtocol> {
        if let Some(map) = self.given.get("listener.security.protocol.map") {
            for pair in map.split(',') {
                if let Some((name, proto)) = pair.split_once(':') {
                    if name.trim() == listener.name {
                        return SecurityProtocol::parse(proto);
                    }
                }
            }
        }
        SecurityProtocol::parse(&listener.name)
    }

    /// The listeners that serve clients: all of `listeners` except those named in
    /// `controller.listener.names` (a KRaft controller's, which a single node has no use for).
    pub fn client_listeners(&self) -> Vec<&Listener> {
        let controllers: Vec<&str> = self
            .given
            .get("controller.listener.names")
            .map(|v| v.split(',').map(str::trim).collect())
            .unwrap_or_default();
        self.listeners
            .iter()
            .filter(|l| !controllers.contains(&l.name.as_str()))
            .collect()
    }
}

fn invalid(key: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::InvalidValue {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T, ConfigError> {
    v.parse()
        .map_err(|_| invalid(key, v, "expected a whole number in range"))
}

fn positive<T: std::str::FromStr + PartialOrd + Default>(
    key: &str,
    v: &str,
) -> Result<T, ConfigError> {
    let n: T = num(key, v)?;
    if n <= T::default() {
        return Err(invalid(key, v, "expected a number greater than 0"));
    }
    Ok(n)
}

fn boolean(key: &str, v: &str) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid(key, v, "expected true or false")),
    }
}

/// Parses `key=value` as given to `--override`.
pub fn parse_override(s: &str) -> Result<(String, String), ConfigError> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| ConfigError::Override(s.to_string()))?;
    if k.trim().is_empty() {
        return Err(ConfigError::Override(s.to_string()));
    }
    Ok((k.trim().to_string(), v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafkas() {
        let c = BrokerConfig::default();
        assert_eq!(c.log_retention_ms, 604_800_000);
        assert_eq!(c.log_segment_bytes, 1_073_741_824);
        assert_eq!(c.message_max_bytes, 1_048_588);
        assert_eq!(c.num_partitions, 1);
        assert!(c.auto_create_topics_enable);
    }

    #[test]
    fn retention_precedence_ms_over_minutes_over_hours() {
        let c = BrokerConfig::from_pairs([("log.retention.hours", "1")]).unwrap();
        assert_eq!(c.log_retention_ms, 3_600_000);
        let c = BrokerConfig::from_pairs([
            ("log.retention.hours", "1"),
            ("log.retention.minutes", "2"),
        ])
        .unwrap();
        assert_eq!(c.log_retention_ms, 120_000);
        let c =
            BrokerConfig::from_pairs([("log.retention.minutes", "2"), ("log.retention.ms", "5")])
                .unwrap();
        assert_eq!(c.log_retention_ms, 5);
    }

    #[test]
    fn listeners_parse_and_bad_values_name_the_key() {
        let c = BrokerConfig::from_pairs([("listeners", "PLAINTEXT://127.0.0.1:0")]).unwrap();
        assert_eq!(c.listeners[0].bind_addr(), "127.0.0.1:0");
        let c = BrokerConfig::from_pairs([("listeners", "PLAINTEXT://:9092")]).unwrap();
        assert_eq!(c.listeners[0].bind_addr(), "0.0.0.0:9092");
        assert_eq!(
            c.advertised_for(&c.listeners[0], 9092),
            ("localhost".to_string(), 9092)
        );
        let e = BrokerConfig::from_pairs([("listeners", "localhost:9092")]).unwrap_err();
        assert!(e.to_string().contains("`listeners`"), "{e}");
        let e = BrokerConfig::from_pairs([("num.partitions", "zero")]).unwrap_err();
        assert!(e.to_string().contains("`num.partitions`"), "{e}");
        let e = BrokerConfig::from_pairs([("num.partitions", "0")]).unwrap_err();
        assert!(e.to_string().contains("greater than 0"), "{e}");
    }

    #[test]
    fn properties_file_then_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.properties");
        std::fs::write(
            &path,
            "# comment\nprocess.roles=broker,controller\nnum.partitions=3\nlog.dirs=/tmp/a,/tmp/b\n",
        )
        .unwrap();
        let c = BrokerConfig::from_sources(
            Some(&path),
            &[("num.partitions".to_string(), "5".to_string())],
        )
        .unwrap();
        assert_eq!(c.num_partitions, 5);
        assert_eq!(c.log_dirs, PathBuf::from("/tmp/a"));
        assert_eq!(parse_override("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_override("novalue").is_err());
    }
}

//! Client configuration keyed by the Java property names (`bootstrap.servers`, `linger.ms`, ...).
//!
//! Owns parsing string pairs into one typed [`ClientConfig`], Java's defaults, and Java's
//! cross-key validation (idempotence rules, `delivery.timeout.ms` bounds). It must not open
//! sockets or know about bindings' idioms (camelCase, snake_case): those map onto these keys.

mod security;

use std::time::Duration;

use crate::error::{Error, Result};
pub use security::{
    SaslConfig, SaslMechanism, Secret, SecurityConfig, SecurityProtocol, SslConfig, SECURITY_KEYS,
};

/// `acks` setting of a producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acks {
    /// `acks=0`: fire and forget, no response from the broker.
    None,
    /// `acks=1`: the leader has written the record.
    Leader,
    /// `acks=all` (`-1`): every in-sync replica has the record.
    All,
}

impl Acks {
    /// The value sent in a ProduceRequest.
    pub fn as_i16(self) -> i16 {
        match self {
            Acks::None => 0,
            Acks::Leader => 1,
            Acks::All => -1,
        }
    }
}

pub use ferrokafka_protocol::{CompressionLevels, CompressionType};

/// `auto.offset.reset` of a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
}

/// `isolation.level` of a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsolationLevel {
    ReadUncommitted,
    ReadCommitted,
}

/// Settings shared by every client: bootstrap, timeouts, backoff.
#[derive(Debug, Clone, PartialEq)]
pub struct CommonConfig {
    pub bootstrap_servers: Vec<String>,
    pub client_id: String,
    pub request_timeout: Duration,
    pub metadata_max_age: Duration,
    pub reconnect_backoff: Duration,
    pub reconnect_backoff_max: Duration,
    pub retry_backoff: Duration,
    pub retry_backoff_max: Duration,
    pub socket_connection_setup_timeout: Duration,
    pub socket_connection_setup_timeout_max: Duration,
    pub connections_max_idle: Duration,
    pub client_rack: String,
    /// `default.api.timeout.ms`: the bound of blocking consumer and admin calls given no
    /// explicit timeout (commit_sync, committed, position, offsets lookups, close, admin ops).
    pub default_api_timeout: Duration,
    /// `metrics.num.samples` and `metrics.sample.window.ms`: the window metric rates,
    /// averages and maxima are computed over.
    pub metrics_samples: usize,
    pub metrics_sample_window: Duration,
    /// `allow.auto.create.topics`: whether this client's Metadata requests let the broker create
    /// a topic they name (it still needs `auto.create.topics.enable`). Unset: the producer
    /// allows it (Java's producer always does), the consumer does not.
    pub allow_auto_create_topics: Option<bool>,
}

/// Producer settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerConfig {
    pub acks: Acks,
    pub batch_size: usize,
    pub linger: Duration,
    pub buffer_memory: usize,
    pub max_block: Duration,
    pub max_request_size: usize,
    pub compression: CompressionType,
    /// `compression.gzip.level`, `compression.lz4.level`, `compression.zstd.level` (KIP-390).
    pub compression_levels: CompressionLevels,
    /// `retries`: the producer's delivery retries, and how often the admin client retries a
    /// request that failed with a retriable error (Java uses the one setting for both).
    pub retries: u32,
    pub delivery_timeout: Duration,
    pub max_in_flight: usize,
    /// Effective idempotence after Java's rules (an implicit default yields to conflicts).
    pub enable_idempotence: bool,
    pub partitioner_ignore_keys: bool,
    pub transactional_id: Option<String>,
}

/// Consumer settings (reserved for the consumer layer).
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerConfig {
    pub group_id: Option<String>,
    pub group_instance_id: Option<String>,
    pub session_timeout: Duration,
    pub heartbeat_interval: Duration,
    pub max_poll_interval: Duration,
    pub auto_offset_reset: OffsetReset,
    pub enable_auto_commit: bool,
    pub auto_commit_interval: Duration,
    pub fetch_min_bytes: i32,
    pub fetch_max_bytes: i32,
    pub max_partition_fetch_bytes: i32,
    pub fetch_max_wait: Duration,
    pub max_poll_records: usize,
    /// Assignor names in preference order: `range`, `roundrobin`, `cooperative-sticky`, `sticky`.
    pub partition_assignment_strategy: Vec<String>,
    pub isolation_level: IsolationLevel,
    /// `check.crcs`: verify each fetched batch's CRC-32C (Java's default); off saves that pass
    /// over every byte read.
    pub check_crcs: bool,
}

/// One configuration for producer, consumer and admin clients.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    pub common: CommonConfig,
    pub producer: ProducerConfig,
    pub consumer: ConsumerConfig,
    /// `security.protocol`, `ssl.*`, `sasl.*`.
    pub security: SecurityConfig,
}

/// Every key this client accepts (plus [`SECURITY_KEYS`]).
pub const KNOWN_KEYS: &[&str] = &[
    "bootstrap.servers",
    "client.id",
    "client.rack",
    "request.timeout.ms",
    "metadata.max.age.ms",
    "reconnect.backoff.ms",
    "reconnect.backoff.max.ms",
    "retry.backoff.ms",
    "retry.backoff.max.ms",
    "socket.connection.setup.timeout.ms",
    "socket.connection.setup.timeout.max.ms",
    "connections.max.idle.ms",
    "default.api.timeout.ms",
    "metrics.num.samples",
    "metrics.sample.window.ms",
    "allow.auto.create.topics",
    "acks",
    "batch.size",
    "linger.ms",
    "buffer.memory",
    "max.block.ms",
    "max.request.size",
    "compression.type",
    "compression.gzip.level",
    "compression.lz4.level",
    "compression.zstd.level",
    "retries",
    "delivery.timeout.ms",
    "max.in.flight.requests.per.connection",
    "enable.idempotence",
    "partitioner.ignore.keys",
    "transactional.id",
    "group.id",
    "group.instance.id",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "max.poll.interval.ms",
    "auto.offset.reset",
    "enable.auto.commit",
    "auto.commit.interval.ms",
    "fetch.min.bytes",
    "fetch.max.bytes",
    "max.partition.fetch.bytes",
    "fetch.max.wait.ms",
    "max.poll.records",
    "partition.assignment.strategy",
    "isolation.level",
    "check.crcs",
];

impl Default for ClientConfig {
    fn default() -> Self {
        let ms = Duration::from_millis;
        ClientConfig {
            common: CommonConfig {
                bootstrap_servers: Vec::new(),
                client_id: String::new(),
                request_timeout: ms(30_000),
                metadata_max_age: ms(300_000),
                reconnect_backoff: ms(50),
                reconnect_backoff_max: ms(1_000),
                retry_backoff: ms(100),
                retry_backoff_max: ms(1_000),
                socket_connection_setup_timeout: ms(10_000),
                socket_connection_setup_timeout_max: ms(30_000),
                connections_max_idle: ms(540_000),
                client_rack: String::new(),
                default_api_timeout: ms(60_000),
                metrics_samples: 2,
                metrics_sample_window: ms(30_000),
                allow_auto_create_topics: None,
            },
            producer: ProducerConfig {
                acks: Acks::All,
                batch_size: 16_384,
                linger: ms(5),
                buffer_memory: 33_554_432,
                max_block: ms(60_000),
                max_request_size: 1_048_576,
                compression: CompressionType::None,
                compression_levels: CompressionLevels::default(),
                retries: i32::MAX as u32,
                delivery_timeout: ms(120_000),
                max_in_flight: 5,
                enable_idempotence: true,
                partitioner_ignore_keys: false,
                transactional_id: None,
            },
            consumer: ConsumerConfig {
                group_id: None,
                group_instance_id: None,
                session_timeout: ms(45_000),
                heartbeat_interval: ms(3_000),
                max_poll_interval: ms(300_000),
                auto_offset_reset: OffsetReset::Latest,
                enable_auto_commit: true,
                auto_commit_interval: ms(5_000),
                fetch_min_bytes: 1,
                fetch_max_bytes: 52_428_800,
                max_partition_fetch_bytes: 1_048_576,
                fetch_max_wait: ms(500),
                max_poll_records: 500,
                partition_assignment_strategy: vec!["range".into(), "cooperative-sticky".into()],
                isolation_level: IsolationLevel::ReadUncommitted,
                check_crcs: true,
            },
            security: SecurityConfig::default(),
        }
    }
}

/// Which keys were given explicitly: Java treats an explicit setting differently from a default.
#[derive(Default)]
struct Explicit {
    idempotence: bool,
    acks: bool,
    retries: bool,
    max_in_flight: bool,
    delivery_timeout: bool,
}

fn bad(key: &str, value: &str, accepted: &str) -> Error {
    Error::config(format!(
        "invalid value {value:?} for `{key}`: accepted values are {accepted}"
    ))
}

fn parse_int<T: std::str::FromStr + PartialOrd + Copy + std::fmt::Display>(
    key: &str,
    value: &str,
    min: T,
    max: T,
) -> Result<T> {
    let accepted = format!("an integer in [{min}, {max}]");
    let v: T = value
        .trim()
        .parse()
        .map_err(|_| bad(key, value, &accepted))?;
    if v < min || v > max {
        return Err(bad(key, value, &accepted));
    }
    Ok(v)
}

fn parse_ms(key: &str, value: &str) -> Result<Duration> {
    parse_int::<u64>(key, value, 0, i64::MAX as u64).map(Duration::from_millis)
}

fn parse_bool(key: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(key, value, "true, false")),
    }
}

fn non_empty(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

impl ClientConfig {
    /// Builds a configuration from `(key, value)` pairs using Java property names.
    ///
    /// An unknown key or a bad value is an [`ErrorKind::Config`](crate::ErrorKind::Config) error
    /// naming the key and the accepted values.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<ClientConfig>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut cfg = ClientConfig::default();
        let mut explicit = Explicit::default();
        let mut security = security::SecurityKeys::default();
        for (k, v) in pairs {
            if !security.set(k.as_ref(), v.as_ref())? {
                cfg.set(k.as_ref(), v.as_ref(), &mut explicit)?;
            }
        }
        cfg.security = security.resolve()?;
        cfg.validate(&explicit)?;
        Ok(cfg)
    }

    fn set(&mut self, key: &str, value: &str, explicit: &mut Explicit) -> Result<()> {
        let c = &mut self.common;
        let p = &mut self.producer;
        let g = &mut self.consumer;
        match key {
            "bootstrap.servers" => {
                c.bootstrap_servers = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                for s in &c.bootstrap_servers {
                    let ok = s
                        .rsplit_once(':')
                        .map(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
                        .unwrap_or(false);
                    if !ok {
                        return Err(bad(key, value, "a comma-separated list of host:port"));
                    }
                }
            }
            "client.id" => c.client_id = value.to_string(),
            "client.rack" => c.client_rack = value.to_string(),
            "request.timeout.ms" => c.request_timeout = parse_ms(key, value)?,
            "metadata.max.age.ms" => c.metadata_max_age = parse_ms(key, value)?,
            "reconnect.backoff.ms" => c.reconnect_backoff = parse_ms(key, value)?,
            "reconnect.backoff.max.ms" => c.reconnect_backoff_max = parse_ms(key, value)?,
            "retry.backoff.ms" => c.retry_backoff = parse_ms(key, value)?,
            "retry.backoff.max.ms" => c.retry_backoff_max = parse_ms(key, value)?,
            "socket.connection.setup.timeout.ms" => {
                c.socket_connection_setup_timeout = parse_ms(key, value)?
            }
            "socket.connection.setup.timeout.max.ms" => {
                c.socket_connection_setup_timeout_max = parse_ms(key, value)?
            }
            "connections.max.idle.ms" => c.connections_max_idle = parse_ms(key, value)?,
            "default.api.timeout.ms" => {
                c.default_api_timeout =
                    Duration::from_millis(parse_int(key, value, 0, i32::MAX as u64)?)
            }
            "metrics.num.samples" => {
                c.metrics_samples = parse_int(key, value, 1, i32::MAX as usize)?
            }
            "metrics.sample.window.ms" => c.metrics_sample_window = parse_ms(key, value)?,
            "allow.auto.create.topics" => {
                c.allow_auto_create_topics = Some(parse_bool(key, value)?)
            }
            "acks" => {
                explicit.acks = true;
                p.acks = match value.trim().to_ascii_lowercase().as_str() {
                    "0" => Acks::None,
                    "1" => Acks::Leader,
                    "all" | "-1" => Acks::All,
                    _ => return Err(bad(key, value, "0, 1, all, -1")),
                }
            }
            "batch.size" => p.batch_size = parse_int(key, value, 0, i32::MAX as usize)?,
            "linger.ms" => p.linger = parse_ms(key, value)?,
            "buffer.memory" => p.buffer_memory = parse_int(key, value, 0, i64::MAX as usize)?,
            "max.block.ms" => p.max_block = parse_ms(key, value)?,
            "max.request.size" => p.max_request_size = parse_int(key, value, 1, i32::MAX as usize)?,
            "compression.type" => {
                p.compression = match value.trim().to_ascii_lowercase().as_str() {
                    "none" => CompressionType::None,
                    "gzip" => CompressionType::Gzip,
                    "snappy" => CompressionType::Snappy,
                    "lz4" => CompressionType::Lz4,
                    "zstd" => CompressionType::Zstd,
                    _ => return Err(bad(key, value, "none, gzip, snappy, lz4, zstd")),
                }
            }
            "compression.gzip.level" => {
                let v = parse_int(key, value, -1, 9)?;
                if v == 0 {
                    return Err(bad(
                        key,
                        value,
                        "-1 (the codec's default) or an integer in [1, 9]",
                    ));
                }
                p.compression_levels.gzip = v;
            }
            "compression.lz4.level" => p.compression_levels.lz4 = parse_int(key, value, 1, 17)?,
            "compression.zstd.level" => {
                p.compression_levels.zstd = parse_int(key, value, -131_072, 22)?
            }
            "retries" => {
                explicit.retries = true;
                p.retries = parse_int(key, value, 0, i32::MAX as u32)?
            }
            "delivery.timeout.ms" => {
                explicit.delivery_timeout = true;
                p.delivery_timeout = parse_ms(key, value)?
            }
            "max.in.flight.requests.per.connection" => {
                explicit.max_in_flight = true;
                p.max_in_flight = parse_int(key, value, 1, i32::MAX as usize)?
            }
            "enable.idempotence" => {
                explicit.idempotence = true;
                p.enable_idempotence = parse_bool(key, value)?
            }
            "partitioner.ignore.keys" => p.partitioner_ignore_keys = parse_bool(key, value)?,
            "transactional.id" => p.transactional_id = non_empty(value),
            "group.id" => g.group_id = non_empty(value),
            "group.instance.id" => g.group_instance_id = non_empty(value),
            "session.timeout.ms" => g.session_timeout = parse_ms(key, value)?,
            "heartbeat.interval.ms" => g.heartbeat_interval = parse_ms(key, value)?,
            "max.poll.interval.ms" => g.max_poll_interval = parse_ms(key, value)?,
            "auto.offset.reset" => {
                g.auto_offset_reset = match value.trim().to_ascii_lowercase().as_str() {
                    "earliest" => OffsetReset::Earliest,
                    "latest" => OffsetReset::Latest,
                    "none" => OffsetReset::None,
                    _ => return Err(bad(key, value, "earliest, latest, none")),
                }
            }
            "enable.auto.commit" => g.enable_auto_commit = parse_bool(key, value)?,
            "check.crcs" => g.check_crcs = parse_bool(key, value)?,
            "auto.commit.interval.ms" => g.auto_commit_interval = parse_ms(key, value)?,
            "fetch.min.bytes" => g.fetch_min_bytes = parse_int(key, value, 0, i32::MAX)?,
            "fetch.max.bytes" => g.fetch_max_bytes = parse_int(key, value, 0, i32::MAX)?,
            "max.partition.fetch.bytes" => {
                g.max_partition_fetch_bytes = parse_int(key, value, 0, i32::MAX)?
            }
            "fetch.max.wait.ms" => g.fetch_max_wait = parse_ms(key, value)?,
            "max.poll.records" => g.max_poll_records = parse_int(key, value, 1, i32::MAX as usize)?,
            "partition.assignment.strategy" => {
                let mut names = Vec::new();
                for raw in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let name = match raw {
                        "range" | "org.apache.kafka.clients.consumer.RangeAssignor" => "range",
                        "roundrobin" | "org.apache.kafka.clients.consumer.RoundRobinAssignor" => {
                            "roundrobin"
                        }
                        "cooperative-sticky"
                        | "org.apache.kafka.clients.consumer.CooperativeStickyAssignor" => {
                            "cooperative-sticky"
                        }
                        "sticky" | "org.apache.kafka.clients.consumer.StickyAssignor" => "sticky",
                        // kafkajs's protocol name (the Node binding's default).
                        "RoundRobinAssigner" => "RoundRobinAssigner",
                        _ => {
                            return Err(bad(
                                key,
                                value,
                                "a list of range, roundrobin, sticky, cooperative-sticky, \
                                 RoundRobinAssigner",
                            ))
                        }
                    };
                    names.push(name.to_string());
                }
                if names.is_empty() {
                    return Err(bad(key, value, "a non-empty list of assignors"));
                }
                g.partition_assignment_strategy = names;
            }
            "isolation.level" => {
                g.isolation_level = match value.trim().to_ascii_lowercase().as_str() {
                    "read_uncommitted" => IsolationLevel::ReadUncommitted,
                    "read_committed" => IsolationLevel::ReadCommitted,
                    _ => return Err(bad(key, value, "read_uncommitted, read_committed")),
                }
            }
            _ => {
                return Err(Error::config(format!(
                    "unknown configuration key `{key}`: check the spelling against the Kafka \
                     client documentation (known keys: {})",
                    KNOWN_KEYS
                        .iter()
                        .chain(SECURITY_KEYS)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
        Ok(())
    }

    fn validate(&mut self, explicit: &Explicit) -> Result<()> {
        let p = &mut self.producer;
        // Java: an explicit `enable.idempotence=true` conflicting with other settings is an
        // error; the implicit default quietly turns idempotence off instead.
        let conflicts: Vec<String> = [
            (p.acks != Acks::All && explicit.acks).then(|| {
                "idempotence requires `acks=all`; set acks=all or enable.idempotence=false".into()
            }),
            (p.max_in_flight > 5 && explicit.max_in_flight).then(|| {
                "idempotence requires `max.in.flight.requests.per.connection` <= 5".into()
            }),
            (p.retries == 0 && explicit.retries)
                .then(|| "idempotence requires `retries` > 0".into()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if p.enable_idempotence && !conflicts.is_empty() {
            if explicit.idempotence {
                return Err(Error::config(format!(
                    "`enable.idempotence=true` conflicts with other settings: {}",
                    conflicts.join("; ")
                )));
            }
            p.enable_idempotence = false;
        }
        if p.transactional_id.is_some() {
            return Err(Error::config(
                "`transactional.id` is not supported yet: remove it (idempotence stays on)",
            ));
        }
        let min_delivery = p.linger + self.common.request_timeout;
        if p.delivery_timeout < min_delivery {
            if explicit.delivery_timeout {
                return Err(Error::config(format!(
                    "`delivery.timeout.ms` ({}) must be >= linger.ms + request.timeout.ms ({})",
                    p.delivery_timeout.as_millis(),
                    min_delivery.as_millis()
                )));
            }
            p.delivery_timeout = min_delivery;
        }
        let g = &self.consumer;
        if g.heartbeat_interval >= g.session_timeout {
            return Err(Error::config(
                "`heartbeat.interval.ms` must be lower than `session.timeout.ms`",
            ));
        }
        if self.common.reconnect_backoff_max < self.common.reconnect_backoff {
            self.common.reconnect_backoff_max = self.common.reconnect_backoff;
        }
        Ok(())
    }

    /// The metrics window (`metrics.num.samples` × `metrics.sample.window.ms`).
    pub fn metric_samples(&self) -> crate::stats::SampleConfig {
        crate::stats::SampleConfig {
            samples: self.common.metrics_samples,
            window: self.common.metrics_sample_window,
        }
    }

    /// The bootstrap list, or a config error if none was given (needed by every client).
    pub fn require_bootstrap(&self) -> Result<&[String]> {
        if self.common.bootstrap_servers.is_empty() {
            return Err(Error::config(
                "`bootstrap.servers` is required: set it to host:port[,host:port...]",
            ));
        }
        Ok(&self.common.bootstrap_servers)
    }
}

#[cfg(test)]
mod tests;

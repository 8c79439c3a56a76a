//! Coordinator settings (Kafka's `group.*` / `offsets.*` broker properties), the topic oracle the
//! coordinator asks about partitions, and the coordinator's error type. No group logic here.

use std::path::PathBuf;

use ferrokafka_protocol::ErrorCode;

/// Settings of the group coordinator, named after Apache Kafka's broker properties.
#[derive(Debug, Clone)]
pub struct CoordinatorConfig {
    /// Node id of this broker (used by FindCoordinator answers elsewhere).
    pub broker_id: i32,
    /// `group.min.session.timeout.ms` (default 6000).
    pub group_min_session_timeout_ms: i32,
    /// `group.max.session.timeout.ms` (default 1800000).
    pub group_max_session_timeout_ms: i32,
    /// `group.initial.rebalance.delay.ms` (default 3000).
    pub group_initial_rebalance_delay_ms: i32,
    /// `group.max.size` (default `i32::MAX`).
    pub group_max_size: i32,
    /// `offsets.retention.minutes` (default 10080) expressed in milliseconds.
    pub offsets_retention_ms: i64,
    /// `offset.metadata.max.bytes` (default 4096).
    pub offset_metadata_max_bytes: usize,
}

impl Default for CoordinatorConfig {
    fn default() -> Self {
        CoordinatorConfig {
            broker_id: 1,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            group_initial_rebalance_delay_ms: 3_000,
            group_max_size: i32::MAX,
            offsets_retention_ms: 10_080 * 60 * 1_000,
            offset_metadata_max_bytes: 4_096,
        }
    }
}

/// What the coordinator needs to know about topics (implemented by the broker's topic registry).
pub trait TopicOracle: Send + Sync + 'static {
    /// Whether `topic` exists and has a partition numbered `partition`.
    fn partition_exists(&self, topic: &str, partition: i32) -> bool;
}

/// Stable kind of a coordinator failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordinatorErrorKind {
    /// The state directory or a state file could not be read or written.
    Io,
}

/// Errors from opening or persisting the coordinator's durable state.
#[derive(Debug, thiserror::Error)]
pub enum CoordinatorError {
    /// An I/O operation on the state directory failed.
    #[error("group coordinator state at {path}: {source}; check that the directory exists, is writable and the disk is not full")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl CoordinatorError {
    /// The stable kind of this error.
    pub fn kind(&self) -> CoordinatorErrorKind {
        match self {
            CoordinatorError::Io { .. } => CoordinatorErrorKind::Io,
        }
    }

    /// The Kafka error code a request failing with this error is answered with.
    pub fn error_code(&self) -> ErrorCode {
        // KAFKA_STORAGE_ERROR on the group log becomes NOT_COORDINATOR for clients in Kafka;
        // COORDINATOR_NOT_AVAILABLE makes every client retry, which is what we want.
        ErrorCode::CoordinatorNotAvailable
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CoordinatorError::Io {
            path: path.into(),
            source,
        }
    }
}

//! Error types of the log: storage failures ([`LogError`]), rejected appends ([`AppendError`])
//! and failed reads ([`ReadError`]), each mapped to Kafka's error code.

use ferrokafka_protocol::ErrorCode;
use std::io;
use std::path::PathBuf;

/// A storage failure: I/O on the partition directory, or on-disk state that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// An I/O call failed.
    #[error("log I/O failed: {op} {path}: {source}; check the disk and the permissions of the log directory")]
    Io {
        /// What was being done ("open", "write", "fsync", ...).
        op: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file's content cannot be used and cannot be rebuilt.
    #[error(
        "log file {path} is corrupt: {reason}; move the partition directory away to start empty"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl LogError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        LogError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// Kafka's error for this failure (`KAFKA_STORAGE_ERROR`).
    pub fn kafka_error(&self) -> ErrorCode {
        ErrorCode::KafkaStorageError
    }

    /// Its code on the wire.
    pub fn error_code(&self) -> i16 {
        self.kafka_error().code()
    }
}

/// Why an append was refused. Nothing was written when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// CRC mismatch, bad lengths, truncated batch (`CORRUPT_MESSAGE`).
    #[error("corrupt record batch: {0}; the producer should resend it")]
    CorruptMessage(String),
    /// A batch is larger than `max.message.bytes` (`MESSAGE_TOO_LARGE`).
    #[error("record batch of {size} bytes exceeds max.message.bytes {max}; send smaller batches or raise max.message.bytes")]
    MessageTooLarge {
        /// Size of the offending batch.
        size: usize,
        /// The configured limit.
        max: u32,
    },
    /// The append is larger than a whole segment (`RECORD_LIST_TOO_LARGE`).
    #[error("append of {size} bytes exceeds segment.bytes {segment_bytes}; raise segment.bytes")]
    RecordListTooLarge {
        /// Size of the append.
        size: usize,
        /// The configured segment size.
        segment_bytes: u64,
    },
    /// Structurally valid but inconsistent or unsupported content (`INVALID_RECORD`).
    #[error("invalid record: {0}")]
    InvalidRecord(String),
    /// A record timestamp is outside the allowed window (`INVALID_TIMESTAMP`).
    #[error("invalid timestamp: {0}; check the producer's clock or message.timestamp.*.max.ms")]
    InvalidTimestamp(String),
    /// Magic v0/v1 message sets (`UNSUPPORTED_FOR_MESSAGE_FORMAT`).
    #[error(
        "record batch magic {magic} is not supported; only magic v2 record batches are accepted"
    )]
    UnsupportedForMessageFormat {
        /// The magic byte found.
        magic: i8,
    },
    /// Idempotent producer sequence gap (`OUT_OF_ORDER_SEQUENCE_NUMBER`).
    #[error("out of order sequence number: {0}")]
    OutOfOrderSequence(String),
    /// Idempotent producer with a stale epoch (`INVALID_PRODUCER_EPOCH`).
    #[error("invalid producer epoch: {0}; this producer was fenced by a newer instance")]
    InvalidProducerEpoch(String),
    /// Reserved (`UNKNOWN_PRODUCER_ID`): like Kafka >= 2.5, the log accepts any sequence from a
    /// producer it has no state for, so this is not currently returned.
    #[error("unknown producer id: {0}")]
    UnknownProducerId(String),
    /// The append could not be written (`KAFKA_STORAGE_ERROR`).
    #[error(transparent)]
    Storage(#[from] LogError),
}

impl AppendError {
    /// Kafka's error for this refusal.
    pub fn kafka_error(&self) -> ErrorCode {
        match self {
            AppendError::CorruptMessage(_) => ErrorCode::CorruptMessage,
            AppendError::MessageTooLarge { .. } => ErrorCode::MessageTooLarge,
            AppendError::RecordListTooLarge { .. } => ErrorCode::RecordListTooLarge,
            AppendError::InvalidRecord(_) => ErrorCode::InvalidRecord,
            AppendError::InvalidTimestamp(_) => ErrorCode::InvalidTimestamp,
            AppendError::UnsupportedForMessageFormat { .. } => {
                ErrorCode::UnsupportedForMessageFormat
            }
            AppendError::OutOfOrderSequence(_) => ErrorCode::OutOfOrderSequenceNumber,
            AppendError::InvalidProducerEpoch(_) => ErrorCode::InvalidProducerEpoch,
            AppendError::UnknownProducerId(_) => ErrorCode::UnknownProducerId,
            AppendError::Storage(_) => ErrorCode::KafkaStorageError,
        }
    }

    /// Its code on the wire.
    pub fn error_code(&self) -> i16 {
        self.kafka_error().code()
    }
}

/// Why a read (Fetch, DeleteRecords) failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The offset is outside `[log_start, log_end]` (`OFFSET_OUT_OF_RANGE`).
    #[error(
        "offset {requested} is out of range [{log_start}, {log_end}]; reset the consumer position"
    )]
    OffsetOutOfRange {
        /// The offset asked for.
        requested: i64,
        /// The current log start offset.
        log_start: i64,
        /// The current log end offset.
        log_end: i64,
    },
    /// The log could not be read (`KAFKA_STORAGE_ERROR`).
    #[error(transparent)]
    Storage(#[from] LogError),
}

impl ReadError {
    /// Kafka's error for this failure.
    pub fn kafka_error(&self) -> ErrorCode {
        match self {
            ReadError::OffsetOutOfRange { .. } => ErrorCode::OffsetOutOfRange,
            ReadError::Storage(_) => ErrorCode::KafkaStorageError,
        }
    }

    /// Its code on the wire.
    pub fn error_code(&self) -> i16 {
        self.kafka_error().code()
    }
}

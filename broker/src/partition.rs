//! One partition of a topic: its log behind a lock, plus the broker-wide "data appended" signal
//! that long-polling fetches wait on.
//!
//! Owns locking discipline only: the lock is never held across an await, and storage errors are
//! logged here once and handed back as a [`PartitionError`]: the Kafka error to answer with.

use bytes::Bytes;
use ferrokafka_protocol::ErrorCode;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use crate::error::BrokerError;
use crate::log::{
    AppendError, AppendOutcome, LogConfig, LogError, PartitionLog, PreparedAppend, ReadError,
    ReadOutcome, SliceOutcome,
};

pub struct Partition {
    pub topic: String,
    pub index: i32,
    /// None once the partition was deleted or closed. Reads (fetch, offsets) share the lock;
    /// appends, housekeeping and config changes take it alone.
    log: RwLock<Option<PartitionLog>>,
}

impl std::fmt::Debug for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Partition({}-{})", self.topic, self.index)
    }
}

/// Why a partition operation failed: the Kafka error the handler answers with, and its message.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct PartitionError {
    pub error: ErrorCode,
    pub message: String,
}

impl PartitionError {
    /// The partition's log was closed under the caller (topic deletion or shutdown).
    fn deleted() -> Self {
        PartitionError {
            error: ErrorCode::KafkaStorageError,
            message: "partition is being deleted".into(),
        }
    }

    /// The error code to put on the wire.
    pub fn code(&self) -> i16 {
        self.error.code()
    }
}

impl From<AppendError> for PartitionError {
    fn from(e: AppendError) -> Self {
        PartitionError {
            error: e.kafka_error(),
            message: e.to_string(),
        }
    }
}

impl From<ReadError> for PartitionError {
    fn from(e: ReadError) -> Self {
        PartitionError {
            error: e.kafka_error(),
            message: e.to_string(),
        }
    }
}

impl From<LogError> for PartitionError {
    fn from(e: LogError) -> Self {
        PartitionError {
            error: e.kafka_error(),
            message: e.to_string(),
        }
    }
}

/// The leader epoch of every partition: a single node never changes leader.
pub const LEADER_EPOCH: i32 = 0;

impl Partition {
    pub fn dir_for(log_dirs: &Path, topic: &str, index: i32) -> PathBuf {
        log_dirs.join(format!("{topic}-{index}"))
    }

    pub fn open(
        log_dirs: &Path,
        topic: &str,
        index: i32,
        config: LogConfig,
        now_ms: i64,
    ) -> Result<Partition, BrokerError> {
        let log = PartitionLog::open(&Self::dir_for(log_dirs, topic, index), config, now_ms)?;
        Ok(Partition {
            topic: topic.to_string(),
            index,
            log: RwLock::new(Some(log)),
        })
    }

    fn with_log<T>(&self, f: impl FnOnce(&mut PartitionLog) -> T) -> Option<T> {
        let mut guard = self.log.write().unwrap_or_else(|e| e.into_inner());
        guard.as_mut().map(f)
    }

    fn with_log_read<T>(&self, f: impl FnOnce(&PartitionLog) -> T) -> Option<T> {
        let guard = self.log.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(f)
    }

    /// Appends the raw record batches of one produce partition.
    /// The batches are validated (CRC, record walk, decompression) before the lock is taken,
    /// so appends to one partition do not wait on each other's validation.
    /// The record bytes are not copied: the log writes them from `records`' buffer.
    pub fn append(&self, records: &Bytes, now_ms: i64) -> Result<AppendOutcome, PartitionError> {
        let config = self
            .with_log_read(|l| l.config().clone())
            .ok_or_else(PartitionError::deleted)?;
        let prepared = PreparedAppend::from_bytes(records.clone(), &config, now_ms)?;
        let appended = self
            .with_log(|l| l.append_prepared(prepared, LEADER_EPOCH, now_ms))
            .ok_or_else(PartitionError::deleted)?;
        appended.map_err(|e| {
            if matches!(e, AppendError::Storage(_)) {
                tracing::error!(topic = %self.topic, partition = self.index, error = %e, "append failed");
            }
            e.into()
        })
    }

    pub fn read(
        &self,
        offset: i64,
        max_bytes: usize,
        min_one_batch: bool,
    ) -> Result<ReadOutcome, PartitionError> {
        let read = self
            .with_log_read(|l| l.read(offset, max_bytes, min_one_batch))
            .ok_or_else(PartitionError::deleted)?;
        read.map_err(|e| self.read_failed(e))
    }

    /// As [`Partition::read`], leaving the batches in the segment file (the lock is held only
    /// to find them and fix their length; sending happens after it is released).
    pub fn read_slice(
        &self,
        offset: i64,
        max_bytes: usize,
        min_one_batch: bool,
    ) -> Result<SliceOutcome, PartitionError> {
        let read = self
            .with_log_read(|l| l.read_slice(offset, max_bytes, min_one_batch))
            .ok_or_else(PartitionError::deleted)?;
        read.map_err(|e| self.read_failed(e))
    }

    fn read_failed(&self, e: ReadError) -> PartitionError {
        if matches!(e, ReadError::Storage(_)) {
            tracing::error!(topic = %self.topic, partition = self.index, error = %e, "read failed");
        }
        e.into()
    }

    /// (log start offset, log end offset), or None when deleted.
    pub fn offsets(&self) -> Option<(i64, i64)> {
        self.with_log_read(|l| (l.log_start_offset(), l.log_end_offset()))
    }

    pub fn offset_for_timestamp(&self, ts: i64) -> Result<Option<(i64, i64)>, PartitionError> {
        let found = self
            .with_log_read(|l| l.offset_for_timestamp(ts))
            .ok_or_else(PartitionError::deleted)?;
        Ok(found?)
    }

    pub fn max_timestamp(&self) -> Result<Option<(i64, i64)>, PartitionError> {
        let found = self
            .with_log_read(|l| l.max_timestamp())
            .ok_or_else(PartitionError::deleted)?;
        Ok(found?)
    }

    pub fn delete_records_before(&self, offset: i64) -> Result<i64, PartitionError> {
        let deleted = self
            .with_log(|l| l.delete_records_before(offset))
            .ok_or_else(PartitionError::deleted)?;
        Ok(deleted?)
    }

    pub fn size_bytes(&self) -> u64 {
        self.with_log_read(|l| l.size_bytes()).unwrap_or(0)
    }

    pub fn flush(&self) {
        if let Some(Err(e)) = self.with_log(|l| l.flush()) {
            tracing::error!(topic = %self.topic, partition = self.index, error = %e, "flush failed");
        }
    }

    pub fn housekeeping(&self, now_ms: i64) {
        if let Some(Err(e)) = self.with_log(|l| l.housekeeping(now_ms)) {
            tracing::error!(topic = %self.topic, partition = self.index, error = %e, "housekeeping failed");
        }
    }

    pub fn set_config(&self, config: LogConfig) {
        self.with_log(|l| l.set_config(config));
    }

    /// Clean shutdown of this partition's log.
    pub fn close(&self) {
        let taken = self.log.write().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(log) = taken {
            if let Err(e) = log.close() {
                tracing::error!(topic = %self.topic, partition = self.index, error = %e, "close failed");
            }
        }
    }

    /// Removes the partition's data (topic deletion).
    pub fn delete(&self) {
        let taken = self.log.write().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(log) = taken {
            if let Err(e) = log.delete() {
                tracing::error!(topic = %self.topic, partition = self.index, error = %e, "delete failed");
            }
        }
    }
}

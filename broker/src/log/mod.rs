//! Per-partition segmented log in Kafka's on-disk layout: record batches stored verbatim,
//! sparse offset and time indexes, roll, retention, crash recovery, idempotent producer state.
//!
//! The public surface is [`PartitionLog`] with [`LogConfig`]; everything else is internal.
//!
//! A partition directory holds, as Kafka's does:
//! - `<20-digit base offset>.log`: record batches exactly as fetched (base offset and leader
//!   epoch patched at append; max timestamp and CRC too under LogAppendTime);
//! - `.index` (4-byte relative offset, 4-byte position) and `.timeindex` (8-byte timestamp,
//!   4-byte relative offset), sparse, one entry per `index.interval.bytes`;
//! - `<offset>.snapshot`: idempotent producer state in Kafka's snapshot format;
//! - `log-start-offset`, `recovery-point` (per-partition checkpoints; Kafka keeps these in the
//!   log dir root) and `.kafka_cleanshutdown` after a clean close.
//!
//! Guarantees: an acknowledged append has been written to the segment file (it survives the
//! process being killed); fsync follows `flush.messages` / `flush.ms` and close. After an
//! unclean stop every segment from the recovery point on is CRC-checked and cut at the first
//! torn batch. Memory per partition is constant: indexes are searched with positional reads and
//! only a small buffer of new index entries is kept.

mod batch;
mod checkpoint;
mod config;
mod error;
mod file_slice;
mod index;
mod index_file;
mod open;
mod partition_log;
mod prepared;
mod producer_state;
mod recovery;
mod retention;
mod segment;
mod time_index;
mod timestamps;

#[cfg(test)]
mod tests;

pub use config::{LogConfig, TimestampType};
pub use error::{AppendError, LogError, ReadError};
pub use ferrokafka_protocol::batch::BatchHeader;
pub use file_slice::{sendfile_bytes, FileSlice};
pub use partition_log::{AppendOutcome, PartitionLog, ReadOutcome, SliceOutcome};
pub use prepared::PreparedAppend;

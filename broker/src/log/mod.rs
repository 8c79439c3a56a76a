//! Per-partition segmented log in Kafka's on-disk layout: record batches stored verbatim,
//! sparse offset and time indexes, roll, retention, crash recovery, idempotent producer state.
//!
//! The public surface is [`PartitionLog`] with [`LogConfig`]; everything else is internal.

mod batch;
mod checkpoint;
mod config;
mod error;
mod index;
mod index_file;
mod open;
mod partition_log;
mod producer_state;
mod records;
mod recovery;
mod retention;
mod segment;
mod time_index;
mod timestamps;

#[cfg(test)]
mod tests;

pub use batch::BatchHeader;
pub use config::{LogConfig, TimestampType};
pub use error::{codes, AppendError, LogError, ReadError};
pub use partition_log::{AppendOutcome, PartitionLog, ReadOutcome};

//! [`PreparedAppend`]: the part of an append that needs no access to the log — validation
//! (CRC, record walk, decompression), the copy of the request's bytes and the max-timestamp /
//! CRC patch — so a caller can do it before taking the partition's lock.

use super::batch::{validate_batches, ValidatedBatch};
use super::config::{LogConfig, TimestampType};
use super::error::AppendError;
use super::segment::max_segment_bytes;
use ferrokafka_protocol::batch::patch_max_timestamp;

/// Validated produce data, ready for [`PartitionLog::append_prepared`](super::PartitionLog::append_prepared).
#[derive(Debug)]
pub struct PreparedAppend {
    /// The request's batches, timestamps already patched; offsets are patched at append.
    pub(crate) data: Vec<u8>,
    pub(crate) batches: Vec<ValidatedBatch>,
    /// The broker time written into the batches under LogAppendTime; -1 otherwise.
    pub(crate) log_append_time_ms: i64,
}

impl PreparedAppend {
    /// Validates `records` (the `records` field of one produce partition) against `config`.
    pub fn new(records: &[u8], config: &LogConfig, now_ms: i64) -> Result<Self, AppendError> {
        let batches = validate_batches(records, config, now_ms)?;
        if records.len() as u64 > max_segment_bytes(config) {
            return Err(AppendError::RecordListTooLarge {
                size: records.len(),
                segment_bytes: config.segment_bytes,
            });
        }
        let mut data = records.to_vec();
        for batch in &batches {
            if let Some(bytes) = data.get_mut(batch.start..batch.start + batch.size()) {
                patch_max_timestamp(
                    bytes,
                    &batch.header,
                    config.message_timestamp_type == TimestampType::LogAppendTime,
                    batch.max_timestamp,
                );
            }
        }
        let log_append_time_ms = match config.message_timestamp_type {
            TimestampType::LogAppendTime => now_ms,
            TimestampType::CreateTime => -1,
        };
        Ok(PreparedAppend {
            data,
            batches,
            log_append_time_ms,
        })
    }

    /// Records in the append.
    pub fn record_count(&self) -> u32 {
        let total: u64 = self
            .batches
            .iter()
            .map(|b| u64::from(b.record_count()))
            .sum();
        u32::try_from(total).unwrap_or(u32::MAX)
    }

    /// Bytes that will be written.
    pub fn size_bytes(&self) -> usize {
        self.data.len()
    }
}

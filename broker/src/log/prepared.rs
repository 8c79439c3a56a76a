//! [`PreparedAppend`]: the part of an append that needs no access to the log — validation
//! (CRC, record walk, decompression) and the max-timestamp / CRC patch — so a caller can do it
//! before taking the partition's lock.
//!
//! Only the 61-byte batch headers are ever patched (offsets, leader epoch, timestamp type, max
//! timestamp, CRC), so each batch is kept as a patched copy of its header plus the request's
//! own bytes for the rest (a shared slice of the request frame, not a copy); the segment writes
//! both with one vectored write. A batch whose header needs a new CRC is the exception: it is
//! copied once to re-seal it over its body.

use bytes::Bytes;

use super::batch::{validate_batches, ValidatedBatch};
use super::config::{LogConfig, TimestampType};
use super::error::AppendError;
use super::segment::max_segment_bytes;
use ferrokafka_protocol::batch::{patch_max_timestamp, HEADER_SIZE};

/// One batch ready to be written: its header (patched in place before the write) and the
/// bytes after the header, verbatim.
#[derive(Debug)]
pub(crate) struct PreparedBatch {
    pub(crate) header: [u8; HEADER_SIZE],
    pub(crate) body: Bytes,
}

/// Validated produce data, ready for [`PartitionLog::append_prepared`](super::PartitionLog::append_prepared).
#[derive(Debug)]
pub struct PreparedAppend {
    /// One per batch, in order; timestamps already patched, offsets are patched at append.
    pub(crate) parts: Vec<PreparedBatch>,
    pub(crate) batches: Vec<ValidatedBatch>,
    /// The broker time written into the batches under LogAppendTime; -1 otherwise.
    pub(crate) log_append_time_ms: i64,
    /// Bytes of all batches.
    size: usize,
}

impl PreparedAppend {
    /// Validates `records` (the `records` field of one produce partition) against `config`,
    /// copying them. [`PreparedAppend::from_bytes`] keeps a shared buffer instead.
    pub fn new(records: &[u8], config: &LogConfig, now_ms: i64) -> Result<Self, AppendError> {
        Self::from_bytes(Bytes::copy_from_slice(records), config, now_ms)
    }

    /// As [`PreparedAppend::new`], keeping slices of `records` (no copy of the record bytes).
    pub fn from_bytes(
        records: Bytes,
        config: &LogConfig,
        now_ms: i64,
    ) -> Result<Self, AppendError> {
        let batches = validate_batches(&records, config, now_ms)?;
        if records.len() as u64 > max_segment_bytes(config) {
            return Err(AppendError::RecordListTooLarge {
                size: records.len(),
                segment_bytes: config.segment_bytes,
            });
        }
        let log_append_time = config.message_timestamp_type == TimestampType::LogAppendTime;
        let mut parts = Vec::with_capacity(batches.len());
        for batch in &batches {
            // Validation checked that every batch is whole and at least a header long.
            let whole = records.slice(batch.start..batch.start + batch.size());
            let mut header = [0u8; HEADER_SIZE];
            header.copy_from_slice(&whole[..HEADER_SIZE]);
            let mut patched = header;
            patch_max_timestamp(
                &mut patched,
                &batch.header,
                log_append_time,
                batch.max_timestamp,
            );
            let part = if patched == header {
                PreparedBatch {
                    header,
                    body: whole.slice(HEADER_SIZE..),
                }
            } else {
                // The CRC covers the body too: patch and re-seal a copy of the whole batch.
                let mut copy = whole.to_vec();
                patch_max_timestamp(
                    &mut copy,
                    &batch.header,
                    log_append_time,
                    batch.max_timestamp,
                );
                header.copy_from_slice(&copy[..HEADER_SIZE]);
                PreparedBatch {
                    header,
                    body: Bytes::from(copy).slice(HEADER_SIZE..),
                }
            };
            parts.push(part);
        }
        let log_append_time_ms = if log_append_time { now_ms } else { -1 };
        Ok(PreparedAppend {
            parts,
            batches,
            log_append_time_ms,
            size: records.len(),
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
        self.size
    }
}

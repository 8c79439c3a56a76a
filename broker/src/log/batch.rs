//! Magic v2 record batch headers: parsing, validation of produced batches, and in-place patches
//! (base offset, partition leader epoch, max timestamp with the CRC recomputed).
//!
//! Works on raw bytes only and never panics on untrusted input. Walking the records inside a
//! batch lives in `records.rs`; nothing here touches files.

use super::config::{LogConfig, TimestampType};
use super::error::AppendError;
use super::records::{walk_records, RecordSummary, WalkError};

/// Size of a v2 batch header, up to and including `recordCount`.
pub const HEADER_SIZE: usize = 61;
/// `baseOffset` + `batchLength`: the bytes not counted by `batchLength`.
pub const LOG_OVERHEAD: usize = 12;
/// Bytes needed to read the magic byte.
const HEADER_SIZE_UP_TO_MAGIC: usize = 17;

const BASE_OFFSET_AT: usize = 0;
const LENGTH_AT: usize = 8;
const LEADER_EPOCH_AT: usize = 12;
const MAGIC_AT: usize = 16;
const CRC_AT: usize = 17;
const ATTRIBUTES_AT: usize = 21;
const LAST_OFFSET_DELTA_AT: usize = 23;
const BASE_TIMESTAMP_AT: usize = 27;
const MAX_TIMESTAMP_AT: usize = 35;
const PRODUCER_ID_AT: usize = 43;
const PRODUCER_EPOCH_AT: usize = 51;
const BASE_SEQUENCE_AT: usize = 53;
const RECORD_COUNT_AT: usize = 57;

const COMPRESSION_MASK: i16 = 0x07;
const TIMESTAMP_TYPE_MASK: i16 = 0x08;
const TRANSACTIONAL_MASK: i16 = 0x10;
const CONTROL_MASK: i16 = 0x20;

/// The fixed fields of a v2 record batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchHeader {
    pub base_offset: i64,
    pub batch_length: i32,
    pub partition_leader_epoch: i32,
    pub magic: i8,
    pub crc: u32,
    pub attributes: i16,
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub record_count: i32,
}

fn be<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    buf.get(at..at.checked_add(N)?)?.try_into().ok()
}

pub(crate) fn read_i64(buf: &[u8], at: usize) -> Option<i64> {
    be::<8>(buf, at).map(i64::from_be_bytes)
}

pub(crate) fn read_i32(buf: &[u8], at: usize) -> Option<i32> {
    be::<4>(buf, at).map(i32::from_be_bytes)
}

impl BatchHeader {
    /// Parses the 61-byte header at the start of `buf`; `None` if `buf` is shorter.
    pub fn parse(buf: &[u8]) -> Option<BatchHeader> {
        Some(BatchHeader {
            base_offset: read_i64(buf, BASE_OFFSET_AT)?,
            batch_length: read_i32(buf, LENGTH_AT)?,
            partition_leader_epoch: read_i32(buf, LEADER_EPOCH_AT)?,
            magic: i8::from_be_bytes(be::<1>(buf, MAGIC_AT)?),
            crc: u32::from_be_bytes(be::<4>(buf, CRC_AT)?),
            attributes: i16::from_be_bytes(be::<2>(buf, ATTRIBUTES_AT)?),
            last_offset_delta: read_i32(buf, LAST_OFFSET_DELTA_AT)?,
            base_timestamp: read_i64(buf, BASE_TIMESTAMP_AT)?,
            max_timestamp: read_i64(buf, MAX_TIMESTAMP_AT)?,
            producer_id: read_i64(buf, PRODUCER_ID_AT)?,
            producer_epoch: i16::from_be_bytes(be::<2>(buf, PRODUCER_EPOCH_AT)?),
            base_sequence: read_i32(buf, BASE_SEQUENCE_AT)?,
            record_count: read_i32(buf, RECORD_COUNT_AT)?,
        })
    }

    /// Whole size of the batch on disk / on the wire (0 for a negative length).
    pub fn total_size(&self) -> usize {
        usize::try_from(self.batch_length)
            .map(|l| l + LOG_OVERHEAD)
            .unwrap_or(0)
    }

    /// Offset of the last record.
    pub fn last_offset(&self) -> i64 {
        self.base_offset
            .saturating_add(i64::from(self.last_offset_delta))
    }

    /// Codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
    pub fn compression(&self) -> u8 {
        (self.attributes & COMPRESSION_MASK) as u8
    }

    /// Whether the batch's timestamp type is LogAppendTime.
    pub fn is_log_append_time(&self) -> bool {
        self.attributes & TIMESTAMP_TYPE_MASK != 0
    }

    /// Whether the batch belongs to a transaction.
    pub fn is_transactional(&self) -> bool {
        self.attributes & TRANSACTIONAL_MASK != 0
    }

    /// Whether the batch is a control batch (transaction marker).
    pub fn is_control(&self) -> bool {
        self.attributes & CONTROL_MASK != 0
    }

    /// Whether an idempotent producer wrote the batch.
    pub fn has_producer_id(&self) -> bool {
        self.producer_id >= 0
    }

    /// Sequence of the last record, wrapping past `i32::MAX` to 0 like Kafka.
    pub fn last_sequence(&self) -> i32 {
        increment_sequence(self.base_sequence, self.last_offset_delta)
    }
}

/// `seq + delta`, wrapping past `i32::MAX` to 0.
pub fn increment_sequence(seq: i32, delta: i32) -> i32 {
    if seq > i32::MAX - delta {
        delta - (i32::MAX - seq) - 1
    } else {
        seq + delta
    }
}

/// CRC-32C of a whole batch as stored in its header (covers `attributes` to the end).
pub fn compute_crc(batch: &[u8]) -> u32 {
    batch.get(ATTRIBUTES_AT..).map(crc32c::crc32c).unwrap_or(0)
}

/// One batch of a produce request that passed validation.
#[derive(Clone, Debug)]
pub struct ValidatedBatch {
    /// Position of the batch inside the request's `records`.
    pub start: usize,
    pub header: BatchHeader,
    /// The max timestamp the stored batch must carry (after CreateTime correction).
    pub max_timestamp: i64,
}

impl ValidatedBatch {
    pub fn size(&self) -> usize {
        self.header.total_size()
    }

    /// Number of records.
    pub fn record_count(&self) -> u32 {
        u32::try_from(self.header.record_count).unwrap_or(0)
    }
}

/// Splits the `records` field of a produce request into batches and validates each one as
/// Kafka's LogValidator does. Offsets are not assigned here.
pub fn validate_batches(
    records: &[u8],
    config: &LogConfig,
    now_ms: i64,
) -> Result<Vec<ValidatedBatch>, AppendError> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < records.len() {
        let rest = &records[pos..];
        let batch = validate_one(rest, config, now_ms)?;
        let size = batch.0.total_size();
        out.push(ValidatedBatch {
            start: pos,
            header: batch.0,
            max_timestamp: batch.1,
        });
        pos += size;
    }
    if out.is_empty() {
        return Err(AppendError::InvalidRecord(
            "the produce request carries no record batch".into(),
        ));
    }
    Ok(out)
}

fn corrupt(msg: impl Into<String>) -> AppendError {
    AppendError::CorruptMessage(msg.into())
}

fn invalid(msg: impl Into<String>) -> AppendError {
    AppendError::InvalidRecord(msg.into())
}

/// Validates the batch at the start of `rest`; returns its header and corrected max timestamp.
fn validate_one(
    rest: &[u8],
    config: &LogConfig,
    now_ms: i64,
) -> Result<(BatchHeader, i64), AppendError> {
    if rest.len() < HEADER_SIZE_UP_TO_MAGIC {
        return Err(corrupt(format!(
            "{} trailing bytes are too few for a record batch header",
            rest.len()
        )));
    }
    let magic = rest.get(MAGIC_AT).map(|b| *b as i8).unwrap_or(-1);
    if magic < 2 {
        return Err(AppendError::UnsupportedForMessageFormat { magic });
    }
    if magic > 2 {
        return Err(corrupt(format!("unknown record batch magic {magic}")));
    }
    let header = BatchHeader::parse(rest)
        .ok_or_else(|| corrupt("record batch shorter than its 61-byte header"))?;
    if header.batch_length < (HEADER_SIZE - LOG_OVERHEAD) as i32 {
        return Err(corrupt(format!(
            "batch length {} is smaller than the v2 header",
            header.batch_length
        )));
    }
    let size = header.total_size();
    if size > rest.len() {
        return Err(corrupt(format!(
            "batch length {} overruns the {} bytes received",
            header.batch_length,
            rest.len()
        )));
    }
    if size > config.max_message_bytes as usize {
        return Err(AppendError::MessageTooLarge {
            size,
            max: config.max_message_bytes,
        });
    }
    let bytes = &rest[..size];
    let crc = compute_crc(bytes);
    if crc != header.crc {
        return Err(corrupt(format!(
            "CRC mismatch: header says {:#010x}, content has {crc:#010x}",
            header.crc
        )));
    }
    if header.record_count <= 0 {
        return Err(invalid(format!(
            "record count {} must be positive",
            header.record_count
        )));
    }
    if i64::from(header.last_offset_delta) + 1 != i64::from(header.record_count) {
        return Err(invalid(format!(
            "record count {} does not match last offset delta {}",
            header.record_count, header.last_offset_delta
        )));
    }
    if header.is_control() {
        return Err(invalid("producers may not write control batches"));
    }
    if header.is_transactional() {
        return Err(invalid(
            "transactional batches are not supported by this broker yet",
        ));
    }
    if header.has_producer_id() && header.base_sequence < 0 {
        return Err(invalid(format!(
            "idempotent batch of producer {} has no sequence number",
            header.producer_id
        )));
    }
    if header.compression() > 4 {
        return Err(corrupt(format!(
            "unknown compression codec id {}",
            header.compression()
        )));
    }
    let summary = walk(&header, &bytes[HEADER_SIZE..])?;
    if config.compact && summary.keyless {
        return Err(invalid("compacted topics require a key on every record"));
    }
    let max_timestamp = match config.message_timestamp_type {
        TimestampType::LogAppendTime => now_ms,
        TimestampType::CreateTime => {
            check_timestamps(&summary, config, now_ms)?;
            summary.max_timestamp
        }
    };
    Ok((header, max_timestamp))
}

fn walk(header: &BatchHeader, body: &[u8]) -> Result<RecordSummary, AppendError> {
    walk_records(header, body).map_err(|e| match e {
        WalkError::Invalid(msg) => invalid(msg),
        WalkError::Decompress(msg) => corrupt(msg),
    })
}

fn check_timestamps(
    summary: &RecordSummary,
    config: &LogConfig,
    now_ms: i64,
) -> Result<(), AppendError> {
    for ts in [summary.min_timestamp, summary.max_timestamp] {
        if ts == -1 {
            continue;
        }
        if ts < -1 {
            return Err(AppendError::InvalidTimestamp(format!(
                "record timestamp {ts} is negative"
            )));
        }
        if now_ms.saturating_sub(ts) > config.message_timestamp_before_max_ms {
            return Err(AppendError::InvalidTimestamp(format!(
                "record timestamp {ts} is more than message.timestamp.before.max.ms ({}) before the broker's time {now_ms}",
                config.message_timestamp_before_max_ms
            )));
        }
        if ts.saturating_sub(now_ms) > config.message_timestamp_after_max_ms {
            return Err(AppendError::InvalidTimestamp(format!(
                "record timestamp {ts} is more than message.timestamp.after.max.ms ({}) after the broker's time {now_ms}",
                config.message_timestamp_after_max_ms
            )));
        }
    }
    Ok(())
}

/// Writes `base_offset` and `leader_epoch` into a stored batch (neither is covered by the CRC).
pub fn patch_offset_and_epoch(batch: &mut [u8], base_offset: i64, leader_epoch: i32) {
    if let Some(dst) = batch.get_mut(BASE_OFFSET_AT..BASE_OFFSET_AT + 8) {
        dst.copy_from_slice(&base_offset.to_be_bytes());
    }
    if let Some(dst) = batch.get_mut(LEADER_EPOCH_AT..LEADER_EPOCH_AT + 4) {
        dst.copy_from_slice(&leader_epoch.to_be_bytes());
    }
}

/// Sets the timestamp type and max timestamp, recomputing the CRC only if anything changed
/// (Kafka's `setMaxTimestamp`).
pub fn patch_max_timestamp(batch: &mut [u8], header: &BatchHeader, kind: TimestampType, ts: i64) {
    let attributes = match kind {
        TimestampType::CreateTime => header.attributes & !TIMESTAMP_TYPE_MASK,
        TimestampType::LogAppendTime => header.attributes | TIMESTAMP_TYPE_MASK,
    };
    if attributes == header.attributes && ts == header.max_timestamp {
        return;
    }
    if let Some(dst) = batch.get_mut(ATTRIBUTES_AT..ATTRIBUTES_AT + 2) {
        dst.copy_from_slice(&attributes.to_be_bytes());
    }
    if let Some(dst) = batch.get_mut(MAX_TIMESTAMP_AT..MAX_TIMESTAMP_AT + 8) {
        dst.copy_from_slice(&ts.to_be_bytes());
    }
    let crc = compute_crc(batch);
    if let Some(dst) = batch.get_mut(CRC_AT..CRC_AT + 4) {
        dst.copy_from_slice(&crc.to_be_bytes());
    }
}

/// Checks that a stored batch is intact: sane length, magic 2 and a matching CRC.
/// `batch` must hold exactly the batch's bytes.
pub fn stored_batch_is_valid(header: &BatchHeader, batch: &[u8]) -> bool {
    header.magic == 2
        && header.batch_length >= (HEADER_SIZE - LOG_OVERHEAD) as i32
        && batch.len() == header.total_size()
        && header.last_offset_delta >= 0
        && compute_crc(batch) == header.crc
}

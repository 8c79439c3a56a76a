//! Validating the record batches of a produce request as Kafka's LogValidator does (sizes, CRC,
//! counts, producer fields, codecs, timestamps, keys on compacted topics). The batch layout,
//! patches and record walk are `ferrokafka_protocol::batch`'s; nothing here touches files.

use ferrokafka_protocol::batch::{
    compute_crc, walk_records, BatchHeader, RecordSummary, WalkError, HEADER_SIZE,
    HEADER_SIZE_UP_TO_MAGIC, LOG_OVERHEAD, MAGIC_AT,
};

use super::config::{LogConfig, TimestampType};
use super::error::AppendError;

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

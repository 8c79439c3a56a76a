//! Bringing segments back after a restart: a cheap load of a cleanly closed segment (index
//! sanity checks plus a header scan of the un-indexed tail), and full recovery of a segment
//! that may hold a torn write (CRC-check every batch, cut at the first bad one, rebuild both
//! indexes). Decides nothing about which segments need which; `partition_log` does.

use tracing::warn;

use super::config::LogConfig;
use super::error::LogError;
use super::segment::Segment;
use ferrokafka_protocol::batch::{stored_batch_is_valid, BatchHeader, HEADER_SIZE, LOG_OVERHEAD};

/// Loads a segment written before a clean shutdown (or rolled before the recovery point).
/// Returns `false` when its indexes fail the sanity checks and it needs [`recover_segment`].
pub(crate) fn load_segment(seg: &mut Segment) -> Result<bool, LogError> {
    if (seg.indexes_missing && seg.size > 0)
        || !seg.index.is_sane(seg.size)
        || !seg.time_index.is_sane()
    {
        return Ok(false);
    }
    let (indexed_offset, mut position) = seg.index.lookup(i64::MAX)?;
    if let Some((ts, offset)) = seg.time_index.last_entry() {
        seg.max_timestamp = ts;
        seg.offset_of_max_timestamp = offset;
    }
    seg.next_offset = seg.base_offset;
    let mut seen_any = false;
    while let Some(header) = seg.header_at(position)? {
        if header.magic != 2 || header.base_offset < seg.next_offset.max(seg.base_offset) {
            return Ok(false);
        }
        if !seen_any && position > 0 && header.last_offset() < indexed_offset {
            return Ok(false);
        }
        seen_any = true;
        if header.max_timestamp > seg.max_timestamp {
            seg.max_timestamp = header.max_timestamp;
            seg.offset_of_max_timestamp = header.last_offset();
        }
        seg.next_offset = header.last_offset() + 1;
        position += header.total_size() as u64;
    }
    if position != seg.size {
        // Bytes after the last whole batch: only recovery may remove them.
        return Ok(false);
    }
    if let Some(first) = seg.header_at(0)? {
        seg.first_batch_timestamp = first.max_timestamp;
    }
    Ok(true)
}

/// What recovery did to a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Recovered {
    /// Bytes cut from the end of the file.
    pub truncated_bytes: u64,
}

/// Validates every batch (length, magic, offsets, CRC), truncates at the first bad one and
/// rebuilds the indexes. `min_base_offset` is the smallest base offset the first batch may
/// carry (the end of the previous segment).
pub(crate) fn recover_segment(
    seg: &mut Segment,
    config: &LogConfig,
    min_base_offset: i64,
) -> Result<Recovered, LogError> {
    seg.reset_derived_state()?;
    let file_size = seg.file_len()?;
    seg.size = file_size;
    let mut position = 0u64;
    let mut next = seg.base_offset.max(min_base_offset);
    let mut buf = Vec::new();
    let mut reason = None;
    while position < file_size {
        if file_size - position < HEADER_SIZE as u64 {
            reason = Some("a partial batch header");
            break;
        }
        let mut head = [0u8; HEADER_SIZE];
        seg.read_exact_at(&mut head, position)?;
        let Some(header) = BatchHeader::parse(&head) else {
            reason = Some("an unreadable batch header");
            break;
        };
        if let Some(why) = header_problem(&header, position, file_size, next, seg.base_offset) {
            reason = Some(why);
            break;
        }
        buf.resize(header.total_size(), 0);
        seg.read_exact_at(&mut buf, position)?;
        if !stored_batch_is_valid(&header, &buf) {
            reason = Some("a CRC mismatch");
            break;
        }
        seg.on_batch(
            position,
            &header,
            header.max_timestamp,
            config.index_interval_bytes,
        )?;
        next = header.last_offset() + 1;
        position += header.total_size() as u64;
    }
    let truncated_bytes = file_size - position;
    if truncated_bytes > 0 {
        warn!(
            segment = %seg.log_path.display(),
            position,
            truncated_bytes,
            "truncating log segment at {}",
            reason.unwrap_or("trailing bytes")
        );
        seg.truncate_file(position)?;
    }
    seg.index.file().write_and_release()?;
    seg.time_index.file().write_and_release()?;
    Ok(Recovered { truncated_bytes })
}

fn header_problem(
    header: &BatchHeader,
    position: u64,
    file_size: u64,
    next: i64,
    base_offset: i64,
) -> Option<&'static str> {
    if header.magic != 2 {
        return Some("a batch with an unknown magic byte");
    }
    if header.batch_length < (HEADER_SIZE - LOG_OVERHEAD) as i32 {
        return Some("a batch length smaller than the header");
    }
    if position + header.total_size() as u64 > file_size {
        return Some("a batch that runs past the end of the file");
    }
    if header.last_offset_delta < 0 || header.base_offset < next {
        return Some("offsets that go backwards");
    }
    if header.last_offset() - base_offset > i64::from(i32::MAX) {
        return Some("an offset too far from the segment's base");
    }
    None
}

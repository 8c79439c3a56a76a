//! ListOffsets by time: the first record at or after a timestamp, and the record with the
//! largest timestamp (KIP-734). Reads only the one batch that holds the answer.

use super::error::LogError;
use super::partition_log::PartitionLog;
use super::segment::Segment;
use ferrokafka_protocol::batch::{for_each_record, WalkError};
use ferrokafka_protocol::batch::{BatchHeader, HEADER_SIZE};

impl PartitionLog {
    /// First offset whose record timestamp is >= `ts`, with that timestamp.
    pub fn offset_for_timestamp(&self, ts: i64) -> Result<Option<(i64, i64)>, LogError> {
        let log_start = self.log_start_offset;
        for segment in self.segments.values() {
            if segment.size == 0 || segment.max_timestamp < ts || segment.next_offset <= log_start {
                continue;
            }
            let start = segment.time_index.lookup(ts)?.max(log_start);
            let (_, mut position) = segment.index.lookup(start)?;
            while let Some(header) = segment.header_at(position)? {
                if header.max_timestamp >= ts && header.last_offset() >= log_start {
                    let found = find_record(segment, position, &header, |offset, t| {
                        offset >= log_start && t >= ts
                    })?;
                    if found.is_some() {
                        return Ok(found);
                    }
                }
                position += header.total_size() as u64;
            }
        }
        Ok(None)
    }

    /// (offset, timestamp) of the first record with the largest timestamp; `None` when the
    /// log holds no record with a timestamp.
    pub fn max_timestamp(&self) -> Result<Option<(i64, i64)>, LogError> {
        let mut best: Option<&Segment> = None;
        for segment in self.segments.values() {
            if segment.size > 0
                && segment.max_timestamp >= 0
                && best.is_none_or(|b| segment.max_timestamp > b.max_timestamp)
            {
                best = Some(segment);
            }
        }
        let Some(segment) = best else {
            return Ok(None);
        };
        let max = segment.max_timestamp;
        let mut position = segment
            .find_batch(segment.offset_of_max_timestamp)?
            .map(|(p, _)| p)
            .unwrap_or(0);
        // The indexed batch holds the maximum; scan on in case the index pointed earlier.
        while let Some(header) = segment.header_at(position)? {
            if header.max_timestamp == max {
                let found = find_record(segment, position, &header, |_, t| t == max)?;
                return Ok(found.or(Some((header.last_offset(), max))));
            }
            position += header.total_size() as u64;
        }
        Ok(None)
    }
}

/// First record of the batch at `position` for which `pred(offset, timestamp)` holds.
fn find_record(
    segment: &Segment,
    position: u64,
    header: &BatchHeader,
    pred: impl Fn(i64, i64) -> bool,
) -> Result<Option<(i64, i64)>, LogError> {
    let bytes = segment.read_batch(position, header)?;
    let body = bytes.get(HEADER_SIZE..).unwrap_or(&[]);
    let mut found = None;
    let result = for_each_record(header, body, |meta| {
        let offset = header.base_offset + i64::from(meta.offset_delta);
        let timestamp = if header.is_log_append_time() {
            header.max_timestamp
        } else {
            meta.timestamp
        };
        if pred(offset, timestamp) {
            found = Some((offset, timestamp));
            return false;
        }
        true
    });
    match result {
        Ok(()) => Ok(found),
        Err(WalkError::Invalid(reason) | WalkError::Decompress(reason)) => Err(LogError::Corrupt {
            path: segment.log_path.clone(),
            reason: format!("batch at position {position}: {reason}"),
        }),
    }
}

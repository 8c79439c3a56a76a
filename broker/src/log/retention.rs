//! Deleting from the head of the log: retention by time and size, DeleteRecords, and the
//! other periodic work (`segment.ms` roll, `flush.ms`, producer id expiration).

use super::checkpoint::{self, write_offset};
use super::error::{LogError, ReadError};
use super::partition_log::PartitionLog;

impl PartitionLog {
    /// DeleteRecords: advances the log start offset durably (-1 = the high watermark) and
    /// returns the new low watermark.
    pub fn delete_records_before(&mut self, offset: i64) -> Result<i64, ReadError> {
        let log_end = self.log_end_offset();
        let target = if offset == -1 { log_end } else { offset };
        if target < 0 || target > log_end {
            return Err(ReadError::OffsetOutOfRange {
                requested: offset,
                log_start: self.log_start_offset,
                log_end,
            });
        }
        if target > self.log_start_offset {
            self.set_log_start_offset(target)?;
            self.delete_segments_below_log_start()?;
        }
        Ok(self.log_start_offset)
    }

    /// Periodic work: roll by `segment.ms`, delete segments past `retention.ms` /
    /// `retention.bytes` (advancing the log start), flush by `flush.ms`, expire producer ids.
    pub fn housekeeping(&mut self, now_ms: i64) -> Result<(), LogError> {
        // Wall clock here: producer timestamps far in the past must not roll on every tick.
        let active = self.active();
        if active.size > 0 && now_ms.saturating_sub(active.created_ms) > self.config.segment_ms {
            self.roll(now_ms)?;
        }
        if self.config.retention_ms >= 0 {
            let retention_ms = self.config.retention_ms;
            while self
                .oldest_non_empty(|s| now_ms.saturating_sub(s.largest_timestamp()) > retention_ms)
            {
                self.delete_oldest_segment(now_ms)?;
            }
        }
        if self.config.retention_bytes >= 0 {
            let mut excess =
                i64::try_from(self.size_bytes()).unwrap_or(i64::MAX) - self.config.retention_bytes;
            loop {
                let oldest = i64::try_from(self.oldest_size()).unwrap_or(i64::MAX);
                if oldest == 0 || excess - oldest < 0 {
                    break;
                }
                excess -= oldest;
                self.delete_oldest_segment(now_ms)?;
            }
        }
        self.delete_segments_below_log_start()?;
        self.producers
            .expire(now_ms, self.config.producer_id_expiration_ms);
        if self.unflushed_messages > 0
            && now_ms.saturating_sub(self.first_unflushed_ms) >= self.config.flush_ms
        {
            self.flush()?;
        }
        Ok(())
    }

    fn oldest_non_empty(&self, pred: impl Fn(&super::segment::Segment) -> bool) -> bool {
        self.segments
            .values()
            .next()
            .is_some_and(|s| s.size > 0 && pred(s))
    }

    fn oldest_size(&self) -> u64 {
        self.segments.values().next().map(|s| s.size).unwrap_or(0)
    }

    /// Deletes the oldest segment (rolling first when it is the active one) and moves the log
    /// start offset to the new first segment.
    fn delete_oldest_segment(&mut self, now_ms: i64) -> Result<(), LogError> {
        if self.segments.len() == 1 {
            self.roll(now_ms)?;
            if self.segments.len() == 1 {
                return Ok(());
            }
        }
        let Some((&base, _)) = self.segments.iter().next() else {
            return Ok(());
        };
        let next_base = self.segments.keys().nth(1).copied().unwrap_or(base);
        if next_base > self.log_start_offset {
            self.set_log_start_offset(next_base)?;
        }
        if let Some(segment) = self.segments.remove(&base) {
            tracing::info!(dir = %self.dir.display(), base_offset = base, "deleting segment past retention");
            segment.delete_files()?;
        }
        Ok(())
    }

    /// Removes whole segments that lie entirely below the log start offset.
    pub(crate) fn delete_segments_below_log_start(&mut self) -> Result<(), LogError> {
        while self.segments.len() > 1 {
            let mut keys = self.segments.keys();
            let (Some(&first), Some(&second)) = (keys.next(), keys.next()) else {
                break;
            };
            if second > self.log_start_offset {
                break;
            }
            if let Some(segment) = self.segments.remove(&first) {
                segment.delete_files()?;
            }
        }
        Ok(())
    }

    /// Durably records a new log start offset, then forgets producers entirely below it.
    fn set_log_start_offset(&mut self, offset: i64) -> Result<(), LogError> {
        write_offset(&self.dir, checkpoint::LOG_START_OFFSET_FILE, offset)?;
        self.log_start_offset = offset;
        self.producers.remove_before(offset);
        Ok(())
    }
}

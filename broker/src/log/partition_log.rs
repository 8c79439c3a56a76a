//! [`PartitionLog`]: one partition's segmented log — append with validation, idempotence and
//! offset assignment, reads of whole stored batches, flush, roll, close and delete.
//!
//! Opening and recovery live in `open.rs`, retention and DeleteRecords in `retention.rs`,
//! timestamp lookups in `timestamps.rs`. Not thread-safe by itself: callers wrap it in a lock
//! (reads take `&self`, so a read-write lock lets fetches run together).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::batch::{patch_max_timestamp, patch_offset_and_epoch, validate_batches};
use super::checkpoint::{self, write_offset};
use super::config::{LogConfig, TimestampType};
use super::error::{AppendError, LogError, ReadError};
use super::producer_state::{PendingProducerUpdates, ProducerStateManager};
use super::segment::Segment;

/// Result of a successful (or duplicate) append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Offset of the first record appended.
    pub base_offset: i64,
    /// Offset of the last record appended.
    pub last_offset: i64,
    /// The broker time written into the batches under LogAppendTime; -1 otherwise.
    pub log_append_time_ms: i64,
    /// The log start offset after the append.
    pub log_start_offset: i64,
    /// Records appended.
    pub record_count: u32,
    /// The batch was a retry of one already in the log; nothing was appended and the offsets
    /// are the original ones.
    pub duplicate: bool,
}

/// Result of a read: whole stored batches, served as they are.
#[derive(Clone, Debug)]
pub struct ReadOutcome {
    pub records: Bytes,
    pub high_watermark: i64,
    pub log_start_offset: i64,
}

/// One partition's log: `<dir>/<base offset>.log|.index|.timeindex` segments.
pub struct PartitionLog {
    pub(crate) dir: PathBuf,
    pub(crate) config: LogConfig,
    /// By base offset; never empty, the last one is the active segment.
    pub(crate) segments: BTreeMap<i64, Segment>,
    pub(crate) log_start_offset: i64,
    pub(crate) producers: ProducerStateManager,
    pub(crate) recovery_point: i64,
    pub(crate) unflushed_messages: u64,
    /// When the oldest unflushed append happened (for `flush.ms`).
    pub(crate) first_unflushed_ms: i64,
}

impl PartitionLog {
    /// Validates, checks idempotence, assigns offsets and appends `records` (one or more v2
    /// batches of a produce request). Either every batch is appended or none.
    pub fn append(
        &mut self,
        records: &[u8],
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendOutcome, AppendError> {
        let batches = validate_batches(records, &self.config, now_ms)?;
        if records.len() as u64 > self.config.segment_bytes {
            return Err(AppendError::RecordListTooLarge {
                size: records.len(),
                segment_bytes: self.config.segment_bytes,
            });
        }
        let log_append_time = self.config.message_timestamp_type == TimestampType::LogAppendTime;
        for batch in &batches {
            if !batch.header.has_producer_id() {
                continue;
            }
            if let Some(dup) = self.producers.find_duplicate(&batch.header) {
                return Ok(AppendOutcome {
                    base_offset: dup.first_offset,
                    last_offset: dup.last_offset,
                    log_append_time_ms: if log_append_time { dup.timestamp } else { -1 },
                    log_start_offset: self.log_start_offset,
                    record_count: u32::try_from(dup.last_offset - dup.first_offset + 1)
                        .unwrap_or(0),
                    duplicate: true,
                });
            }
        }

        let base_offset = self.log_end_offset();
        let mut pending = PendingProducerUpdates::default();
        let mut next = base_offset;
        for batch in &batches {
            if batch.header.has_producer_id() {
                self.producers.check_and_stage(
                    &mut pending,
                    &batch.header,
                    next,
                    batch.max_timestamp,
                )?;
            }
            next += i64::from(batch.record_count());
        }
        let last_offset = next - 1;

        // Patch a copy: base offsets, leader epoch, and max timestamp (+CRC) where needed.
        let mut data = records.to_vec();
        let mut next = base_offset;
        for batch in &batches {
            if let Some(bytes) = data.get_mut(batch.start..batch.start + batch.size()) {
                patch_offset_and_epoch(bytes, next, leader_epoch);
                patch_max_timestamp(
                    bytes,
                    &batch.header,
                    self.config.message_timestamp_type,
                    batch.max_timestamp,
                );
            }
            next += i64::from(batch.record_count());
        }

        let append_max_ts = batches.iter().map(|b| b.max_timestamp).max().unwrap_or(-1);
        if self
            .active()
            .should_roll(&self.config, data.len(), append_max_ts, last_offset, now_ms)
        {
            self.roll(now_ms)?;
        }
        let interval = self.config.index_interval_bytes;
        let active = self.active_mut();
        let position = active.write(&data)?;
        let mut next = base_offset;
        for batch in &batches {
            let mut header = batch.header;
            header.base_offset = next;
            active.on_batch(
                position + batch.start as u64,
                &header,
                batch.max_timestamp,
                interval,
            )?;
            next += i64::from(batch.record_count());
        }
        self.producers.commit(pending);

        let record_count = u32::try_from(last_offset - base_offset + 1).unwrap_or(u32::MAX);
        if self.unflushed_messages == 0 {
            self.first_unflushed_ms = now_ms;
        }
        self.unflushed_messages = self
            .unflushed_messages
            .saturating_add(u64::from(record_count));
        if self.unflushed_messages >= self.config.flush_messages {
            self.flush()?;
        }
        Ok(AppendOutcome {
            base_offset,
            last_offset,
            log_append_time_ms: if log_append_time { now_ms } else { -1 },
            log_start_offset: self.log_start_offset,
            record_count,
            duplicate: false,
        })
    }

    /// Whole raw batches starting with the one that contains `fetch_offset`, up to `max_bytes`
    /// (one oversized batch anyway when `min_one_batch`, KIP-74).
    pub fn read(
        &self,
        fetch_offset: i64,
        max_bytes: usize,
        min_one_batch: bool,
    ) -> Result<ReadOutcome, ReadError> {
        let log_end = self.log_end_offset();
        if fetch_offset < self.log_start_offset || fetch_offset > log_end {
            return Err(ReadError::OffsetOutOfRange {
                requested: fetch_offset,
                log_start: self.log_start_offset,
                log_end,
            });
        }
        let mut records = Vec::new();
        if fetch_offset < log_end {
            let from = self
                .segments
                .range(..=fetch_offset)
                .next_back()
                .map(|(base, _)| *base)
                .unwrap_or(i64::MIN);
            for segment in self.segments.range(from..).map(|(_, s)| s) {
                if let Some(found) = segment.read(fetch_offset, max_bytes, min_one_batch)? {
                    records = found;
                    break;
                }
            }
        }
        Ok(ReadOutcome {
            records: Bytes::from(records),
            high_watermark: log_end,
            log_start_offset: self.log_start_offset,
        })
    }

    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    /// Offset of the next record appended; also the high watermark (single node).
    pub fn log_end_offset(&self) -> i64 {
        self.active().next_offset
    }

    /// Bytes of all segments.
    pub fn size_bytes(&self) -> u64 {
        self.segments.values().map(|s| s.size).sum()
    }

    /// Number of segments (the active one included).
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Idempotent producers this partition remembers.
    pub fn producer_count(&self) -> usize {
        self.producers.len()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn config(&self) -> &LogConfig {
        &self.config
    }

    pub fn set_config(&mut self, config: LogConfig) {
        if config.segment_index_bytes != self.config.segment_index_bytes {
            self.active_mut()
                .set_index_max_bytes(config.segment_index_bytes);
        }
        self.config = config;
    }

    /// fsyncs every segment written since the last flush and advances the recovery point.
    pub fn flush(&mut self) -> Result<(), LogError> {
        for segment in self.segments.values_mut() {
            segment.flush()?;
        }
        let log_end = self.log_end_offset();
        if log_end != self.recovery_point {
            write_offset(&self.dir, checkpoint::RECOVERY_POINT_FILE, log_end)?;
            self.recovery_point = log_end;
        }
        self.unflushed_messages = 0;
        Ok(())
    }

    /// Clean shutdown: flush, final index entries, producer snapshot, clean-shutdown marker.
    pub fn close(mut self) -> Result<(), LogError> {
        self.active_mut().seal()?;
        self.flush()?;
        let log_end = self.log_end_offset();
        self.producers.write_snapshot(&self.dir, log_end, true)?;
        write_offset(
            &self.dir,
            checkpoint::LOG_START_OFFSET_FILE,
            self.log_start_offset,
        )?;
        checkpoint::write_clean_shutdown_marker(&self.dir)
    }

    /// Topic deletion: removes the directory and everything in it.
    pub fn delete(self) -> Result<(), LogError> {
        let dir = self.dir.clone();
        drop(self);
        fs::remove_dir_all(&dir).map_err(|e| LogError::io("delete", &dir, e))
    }

    pub(crate) fn active(&self) -> &Segment {
        // The map is never empty: open creates a segment and deletion keeps the active one.
        self.segments
            .values()
            .next_back()
            .expect("a partition log always has an active segment")
    }

    pub(crate) fn active_mut(&mut self) -> &mut Segment {
        self.segments
            .values_mut()
            .next_back()
            .expect("a partition log always has an active segment")
    }

    /// Seals the active segment and starts a new one at the log end offset (no-op when the
    /// active segment is empty). Writes a producer-state snapshot like Kafka does on roll.
    pub(crate) fn roll(&mut self, now_ms: i64) -> Result<(), LogError> {
        let log_end = self.log_end_offset();
        let active = self.active_mut();
        if active.size == 0 {
            return Ok(());
        }
        active.seal()?;
        let segment = Segment::open(&self.dir, log_end, &self.config, now_ms, true)?;
        self.segments.insert(log_end, segment);
        tracing::debug!(dir = %self.dir.display(), base_offset = log_end, "rolled a new segment");
        self.producers.write_snapshot(&self.dir, log_end, false)
    }
}

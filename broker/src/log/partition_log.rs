//! [`PartitionLog`]: one partition's segmented log — append with validation, idempotence and
//! offset assignment, reads of whole stored batches, flush, roll, close and delete.
//!
//! Opening and recovery live in `open.rs`, retention and DeleteRecords in `retention.rs`,
//! timestamp lookups in `timestamps.rs`. Not thread-safe by itself: callers wrap it in a lock
//! (reads take `&self`, so a read-write lock lets fetches run together).

use std::collections::BTreeMap;
use std::fs;
use std::io::IoSlice;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::batch::ValidatedBatch;
use super::checkpoint::{self, write_offset};
use super::config::LogConfig;
use super::error::{AppendError, LogError, ReadError};
use super::file_slice::FileSlice;
use super::prepared::{PreparedAppend, PreparedBatch};
use super::producer_state::{BatchMetadata, PendingProducerUpdates, ProducerStateManager};
use super::segment::Segment;
use ferrokafka_protocol::batch::patch_offset_and_epoch;

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

/// Result of a read that leaves the bytes in the segment file (see [`FileSlice`]).
#[derive(Clone, Debug)]
pub struct SliceOutcome {
    /// `None` when there is nothing at or after the fetch offset yet.
    pub records: Option<FileSlice>,
    pub high_watermark: i64,
    pub log_start_offset: i64,
}

impl SliceOutcome {
    /// Bytes of records the slice holds.
    pub fn len(&self) -> usize {
        self.records.as_ref().map_or(0, FileSlice::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
        let prepared = PreparedAppend::new(records, &self.config, now_ms)?;
        self.append_prepared(prepared, leader_epoch, now_ms)
    }

    /// The second half of [`append`](Self::append) for data validated with
    /// [`PreparedAppend::new`] (which needs no lock): idempotence, offsets, write.
    pub fn append_prepared(
        &mut self,
        prepared: PreparedAppend,
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendOutcome, AppendError> {
        let size = prepared.size_bytes();
        let PreparedAppend {
            mut parts,
            batches,
            log_append_time_ms,
            ..
        } = prepared;
        if let Some(dup) = self.find_duplicate(&batches) {
            return Ok(AppendOutcome {
                base_offset: dup.first_offset,
                last_offset: dup.last_offset,
                log_append_time_ms: if log_append_time_ms >= 0 {
                    dup.timestamp
                } else {
                    -1
                },
                log_start_offset: self.log_start_offset,
                record_count: u32::try_from(dup.last_offset - dup.first_offset + 1).unwrap_or(0),
                duplicate: true,
            });
        }

        let base_offset = self.log_end_offset();
        let pending = self.stage_producers(&batches, base_offset)?;
        let mut next = base_offset;
        for (batch, part) in batches.iter().zip(parts.iter_mut()) {
            patch_offset_and_epoch(&mut part.header, next, leader_epoch);
            next += i64::from(batch.record_count());
        }
        let total = next - base_offset;
        let record_count = u32::try_from(total).unwrap_or(u32::MAX);
        let last_offset = next - 1;
        self.write_batches(&parts, size, &batches, base_offset, last_offset, now_ms)?;
        self.producers.commit(pending);

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
            log_append_time_ms,
            log_start_offset: self.log_start_offset,
            record_count,
            duplicate: false,
        })
    }

    /// A batch of this append an idempotent producer already wrote (Kafka answers the whole
    /// request with the original offsets of that batch).
    fn find_duplicate(&self, batches: &[ValidatedBatch]) -> Option<BatchMetadata> {
        batches
            .iter()
            .filter(|b| b.header.has_producer_id())
            .find_map(|b| self.producers.find_duplicate(&b.header))
    }

    /// Checks epochs and sequences of every idempotent batch, staging the state updates.
    fn stage_producers(
        &self,
        batches: &[ValidatedBatch],
        base_offset: i64,
    ) -> Result<PendingProducerUpdates, AppendError> {
        let mut pending = PendingProducerUpdates::default();
        let mut next = base_offset;
        for batch in batches {
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
        Ok(pending)
    }

    /// Rolls if needed, writes the patched batches with one vectored write (each batch's
    /// patched header, then its body from the request), then updates the indexes.
    fn write_batches(
        &mut self,
        parts: &[PreparedBatch],
        size: usize,
        batches: &[ValidatedBatch],
        base_offset: i64,
        last_offset: i64,
        now_ms: i64,
    ) -> Result<(), LogError> {
        let max_ts = batches.iter().map(|b| b.max_timestamp).max().unwrap_or(-1);
        if self
            .active()
            .should_roll(&self.config, size, max_ts, last_offset, now_ms)
        {
            self.roll(now_ms)?;
        }
        let interval = self.config.index_interval_bytes;
        let active = self.active_mut();
        let mut slices: Vec<IoSlice<'_>> = parts
            .iter()
            .flat_map(|p| [IoSlice::new(&p.header), IoSlice::new(&p.body)])
            .collect();
        let position = active.write_vectored(&mut slices, size, now_ms)?;
        let mut next = base_offset;
        for batch in batches {
            let mut header = batch.header;
            header.base_offset = next;
            // The batch is in the log; an index write failure must not fail the append (the
            // client would resend it): the entries stay buffered and are written later.
            if let Err(e) = active.on_batch(
                position + batch.start as u64,
                &header,
                batch.max_timestamp,
                interval,
            ) {
                tracing::warn!(error = %e, "could not write index entries; they stay buffered");
            }
            next += i64::from(batch.record_count());
        }
        Ok(())
    }

    /// Whole raw batches starting with the one that contains `fetch_offset`, up to `max_bytes`
    /// (one oversized batch anyway when `min_one_batch`, KIP-74), copied out of the file.
    pub fn read(
        &self,
        fetch_offset: i64,
        max_bytes: usize,
        min_one_batch: bool,
    ) -> Result<ReadOutcome, ReadError> {
        let slice = self.read_slice(fetch_offset, max_bytes, min_one_batch)?;
        let mut records = bytes::BytesMut::new();
        if let Some(s) = &slice.records {
            s.read_into(&mut records).map_err(|e| {
                ReadError::Storage(LogError::io("read", &self.active().log_path, e))
            })?;
        }
        Ok(ReadOutcome {
            records: records.freeze(),
            high_watermark: slice.high_watermark,
            log_start_offset: slice.log_start_offset,
        })
    }

    /// As [`PartitionLog::read`], but the batches stay in the segment file: the outcome holds
    /// a [`FileSlice`] whose length is fixed now, to be sent or copied later without the lock.
    pub fn read_slice(
        &self,
        fetch_offset: i64,
        max_bytes: usize,
        min_one_batch: bool,
    ) -> Result<SliceOutcome, ReadError> {
        let log_end = self.log_end_offset();
        if fetch_offset < self.log_start_offset || fetch_offset > log_end {
            return Err(ReadError::OffsetOutOfRange {
                requested: fetch_offset,
                log_start: self.log_start_offset,
                log_end,
            });
        }
        let mut records = None;
        if fetch_offset < log_end {
            let from = self
                .segments
                .range(..=fetch_offset)
                .next_back()
                .map(|(base, _)| *base)
                .unwrap_or(i64::MIN);
            for segment in self.segments.range(from..).map(|(_, s)| s) {
                if let Some(found) = segment.slice(fetch_offset, max_bytes, min_one_batch)? {
                    records = Some(found);
                    break;
                }
            }
        }
        Ok(SliceOutcome {
            records,
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

//! One log segment: `<base>.log` holding record batches verbatim, with its offset and time
//! indexes. Appends are positional vectored writes at the end; reads are positional reads of
//! just the requested range. Owns no policy (roll, retention, recovery decide elsewhere).

use std::fs::{self, File, OpenOptions};
use std::io::{self, IoSlice};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use super::config::LogConfig;
use super::error::LogError;
use super::file_slice::FileSlice;
use super::index::OffsetIndex;
use super::time_index::TimeIndex;
use ferrokafka_protocol::batch::{BatchHeader, HEADER_SIZE};

/// `<dir>/<20-digit zero-padded offset>.<ext>`
pub(crate) fn segment_file(dir: &Path, base_offset: i64, ext: &str) -> PathBuf {
    dir.join(format!("{base_offset:020}.{ext}"))
}

/// `segment.bytes`, capped so file positions fit the 4-byte index entries (Kafka's is an int).
pub(crate) fn max_segment_bytes(config: &LogConfig) -> u64 {
    config.segment_bytes.min(i32::MAX as u64)
}

pub(crate) struct Segment {
    pub base_offset: i64,
    pub log_path: PathBuf,
    /// Shared with in-flight [`FileSlice`]s, which keep the bytes readable after an unlink.
    log: Arc<File>,
    /// Bytes of whole batches in the file.
    pub size: u64,
    /// Offset after the last record (the base offset when empty).
    pub next_offset: i64,
    /// Largest batch max timestamp (-1 when none).
    pub max_timestamp: i64,
    /// Last offset of the batch holding `max_timestamp`.
    pub offset_of_max_timestamp: i64,
    /// Max timestamp of the first batch, the reference for `segment.ms` (-1 when unknown).
    pub first_batch_timestamp: i64,
    /// Wall clock of the first append into this segment (of opening, for a loaded one).
    pub created_ms: i64,
    pub index: OffsetIndex,
    pub time_index: TimeIndex,
    bytes_since_index: u64,
    /// An index file was missing when the segment was opened: rebuild before trusting them.
    pub indexes_missing: bool,
    /// Writes not yet fsynced.
    pub dirty: bool,
}

impl Segment {
    /// Opens the files of a segment (creating missing ones). `fresh` truncates everything.
    /// Counters are left for `recovery` to fill in from the file content.
    pub fn open(
        dir: &Path,
        base_offset: i64,
        config: &LogConfig,
        now_ms: i64,
        fresh: bool,
    ) -> Result<Segment, LogError> {
        let log_path = segment_file(dir, base_offset, "log");
        let log = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(fresh)
            .open(&log_path)
            .map_err(|e| LogError::io("open", &log_path, e))?;
        let size = log
            .metadata()
            .map_err(|e| LogError::io("stat", &log_path, e))?
            .len();
        let index_path = segment_file(dir, base_offset, "index");
        let time_index_path = segment_file(dir, base_offset, "timeindex");
        let indexes_missing = !fresh && (!index_path.exists() || !time_index_path.exists());
        let index = OffsetIndex::open(&index_path, base_offset, config.segment_index_bytes, fresh)?;
        let time_index = TimeIndex::open(
            &time_index_path,
            base_offset,
            config.segment_index_bytes,
            fresh,
        )?;
        Ok(Segment {
            base_offset,
            log_path,
            log: Arc::new(log),
            size,
            next_offset: base_offset,
            max_timestamp: -1,
            offset_of_max_timestamp: -1,
            first_batch_timestamp: -1,
            created_ms: now_ms,
            index,
            time_index,
            bytes_since_index: 0,
            indexes_missing,
            dirty: fresh,
        })
    }

    pub fn set_index_max_bytes(&mut self, max_bytes: u32) {
        self.index.file().set_max_bytes(max_bytes);
        self.time_index.file().set_max_bytes(max_bytes);
    }

    /// Clears indexes and counters before they are rebuilt batch by batch.
    pub fn reset_derived_state(&mut self) -> Result<(), LogError> {
        self.index.file().clear()?;
        self.time_index.file().clear()?;
        self.next_offset = self.base_offset;
        self.max_timestamp = -1;
        self.offset_of_max_timestamp = -1;
        self.first_batch_timestamp = -1;
        self.bytes_since_index = 0;
        self.indexes_missing = false;
        Ok(())
    }

    /// Updates counters and indexes for a batch now stored at `position`.
    pub fn on_batch(
        &mut self,
        position: u64,
        header: &BatchHeader,
        max_timestamp: i64,
        index_interval_bytes: u32,
    ) -> Result<(), LogError> {
        // Counters first: if an index write fails, the log itself stays consistent (a sparse
        // index missing entries only makes lookups start earlier).
        let last_offset = header.last_offset();
        if position == 0 {
            self.first_batch_timestamp = max_timestamp;
        }
        if max_timestamp > self.max_timestamp {
            self.max_timestamp = max_timestamp;
            self.offset_of_max_timestamp = last_offset;
        }
        self.next_offset = last_offset + 1;
        let index_due = self.bytes_since_index > u64::from(index_interval_bytes);
        self.bytes_since_index += header.total_size() as u64;
        if index_due {
            self.bytes_since_index = header.total_size() as u64;
            self.index.append(last_offset, position)?;
            self.time_index
                .maybe_append(self.max_timestamp, self.offset_of_max_timestamp)?;
        }
        Ok(())
    }

    /// Writes `bufs` (whole batches, `len` bytes in all) at the end of the file with
    /// positional vectored writes (`pwritev`, repeated after a partial write). On failure the
    /// file is cut back so no partial batch stays behind.
    pub fn write_vectored(
        &mut self,
        bufs: &mut [IoSlice<'_>],
        len: usize,
        now_ms: i64,
    ) -> Result<u64, LogError> {
        let position = self.size;
        if position == 0 {
            self.created_ms = now_ms;
        }
        if let Err(e) = pwritev_all(&self.log, bufs, position) {
            let _ = self.log.set_len(position);
            return Err(LogError::io("write", &self.log_path, e));
        }
        self.size += len as u64;
        self.dirty = true;
        Ok(position)
    }

    /// Cuts the file at `position` (recovery of a torn tail).
    pub fn truncate_file(&mut self, position: u64) -> Result<(), LogError> {
        self.log
            .set_len(position)
            .map_err(|e| LogError::io("truncate", &self.log_path, e))?;
        self.size = position;
        self.dirty = true;
        Ok(())
    }

    pub fn file_len(&self) -> Result<u64, LogError> {
        Ok(self
            .log
            .metadata()
            .map_err(|e| LogError::io("stat", &self.log_path, e))?
            .len())
    }

    pub fn read_exact_at(&self, buf: &mut [u8], position: u64) -> Result<(), LogError> {
        self.log
            .read_exact_at(buf, position)
            .map_err(|e| LogError::io("read", &self.log_path, e))
    }

    /// The batch header at `position`, or `None` past the last whole header.
    pub fn header_at(&self, position: u64) -> Result<Option<BatchHeader>, LogError> {
        if position + HEADER_SIZE as u64 > self.size {
            return Ok(None);
        }
        let mut buf = [0u8; HEADER_SIZE];
        self.read_exact_at(&mut buf, position)?;
        Ok(BatchHeader::parse(&buf).filter(|h| {
            h.total_size() >= HEADER_SIZE && position + h.total_size() as u64 <= self.size
        }))
    }

    /// Position and header of the first batch whose last offset is >= `offset`.
    pub fn find_batch(&self, offset: i64) -> Result<Option<(u64, BatchHeader)>, LogError> {
        let (_, mut position) = self.index.lookup(offset)?;
        while let Some(header) = self.header_at(position)? {
            if header.last_offset() >= offset {
                return Ok(Some((position, header)));
            }
            position += header.total_size() as u64;
        }
        Ok(None)
    }

    /// Whole batches from the one holding `offset`, at most `max_bytes` unless `min_one_batch`
    /// and the first batch alone is larger. `None` when no batch here reaches `offset`.
    /// Only batch headers are read: the bytes stay in the file, captured by the returned
    /// slice up to the size committed now.
    pub fn slice(
        &self,
        offset: i64,
        max_bytes: usize,
        min_one_batch: bool,
    ) -> Result<Option<FileSlice>, LogError> {
        let Some((start, first)) = self.find_batch(offset)? else {
            return Ok(None);
        };
        let first_size = first.total_size();
        if first_size > max_bytes {
            let len = if min_one_batch { first_size } else { 0 };
            return Ok(Some(FileSlice::new(self.log.clone(), start, len)));
        }
        let limit = start.saturating_add(max_bytes as u64).min(self.size);
        let mut end = start + first_size as u64;
        while let Some(header) = self.header_at(end)? {
            let next = end + header.total_size() as u64;
            if next > limit {
                break;
            }
            end = next;
        }
        Ok(Some(FileSlice::new(
            self.log.clone(),
            start,
            (end - start) as usize,
        )))
    }

    /// Reads the whole batch at `position`.
    pub fn read_batch(&self, position: u64, header: &BatchHeader) -> Result<Vec<u8>, LogError> {
        let mut buf = vec![0u8; header.total_size()];
        self.read_exact_at(&mut buf, position)?;
        Ok(buf)
    }

    /// Kafka's `shouldRoll`: size, `segment.ms`, full indexes, relative offsets overflowing.
    pub fn should_roll(
        &self,
        config: &LogConfig,
        append_bytes: usize,
        append_max_timestamp: i64,
        append_last_offset: i64,
        now_ms: i64,
    ) -> bool {
        if self.size == 0 {
            return false;
        }
        let too_big = self.size > max_segment_bytes(config).saturating_sub(append_bytes as u64);
        let too_old = self.time_waited_for_roll(now_ms, append_max_timestamp) > config.segment_ms;
        let offsets_overflow = append_last_offset - self.base_offset > i64::from(i32::MAX);
        too_big || too_old || self.index.is_full() || self.time_index.is_full() || offsets_overflow
    }

    /// How long this segment has been collecting batches, by record time when known.
    pub fn time_waited_for_roll(&self, now_ms: i64, timestamp: i64) -> i64 {
        if self.first_batch_timestamp >= 0 {
            timestamp.saturating_sub(self.first_batch_timestamp)
        } else {
            now_ms.saturating_sub(self.created_ms)
        }
    }

    /// The timestamp retention compares with: the newest record time, else the file's mtime.
    pub fn largest_timestamp(&self) -> i64 {
        if self.max_timestamp >= 0 {
            return self.max_timestamp;
        }
        self.log
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(self.created_ms)
    }

    /// Writes the final time index entry and buffered index entries (roll and close).
    pub fn seal(&mut self) -> Result<(), LogError> {
        if self.max_timestamp >= 0 {
            self.time_index
                .maybe_append(self.max_timestamp, self.offset_of_max_timestamp)?;
        }
        self.index.file().write_and_release()?;
        self.time_index.file().write_and_release()
    }

    /// fsyncs the log and indexes if anything was written since the last flush.
    pub fn flush(&mut self) -> Result<(), LogError> {
        self.index.file().write_pending()?;
        self.time_index.file().write_pending()?;
        if !self.dirty {
            return Ok(());
        }
        self.log
            .sync_data()
            .map_err(|e| LogError::io("fsync", &self.log_path, e))?;
        self.index.file().sync()?;
        self.time_index.file().sync()?;
        self.dirty = false;
        Ok(())
    }

    /// Removes the segment's files.
    pub fn delete_files(mut self) -> Result<(), LogError> {
        let index_path = self.index.file().path().to_path_buf();
        let time_path = self.time_index.file().path().to_path_buf();
        for path in [&self.log_path, &index_path, &time_path] {
            match fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(LogError::io("delete", path, e)),
            }
        }
        Ok(())
    }
}

/// Most buffers one `pwritev` takes (Linux's IOV_MAX).
const MAX_IOVECS: usize = 1024;

/// Writes every byte of `bufs` at `position`, retrying partial and interrupted writes.
fn pwritev_all(file: &File, mut bufs: &mut [IoSlice<'_>], mut position: u64) -> io::Result<()> {
    IoSlice::advance_slices(&mut bufs, 0);
    while !bufs.is_empty() {
        let offset = i64::try_from(position)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "file position too large"))?;
        let take = bufs.len().min(MAX_IOVECS);
        match nix::sys::uio::pwritev(file, &bufs[..take], offset) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                position += n as u64;
                IoSlice::advance_slices(&mut bufs, n);
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

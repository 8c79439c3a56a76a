//! A file of fixed-size index entries (Kafka's `.index` / `.timeindex` layout) that keeps only
//! a small buffer of not-yet-written entries in memory and binary-searches the rest with
//! positional reads, so memory per segment stays constant however large the index grows.
//!
//! Knows nothing about offsets or timestamps; `index.rs` and `time_index.rs` give meaning.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::error::LogError;

/// Entries buffered before one write to the file.
const PENDING_LIMIT: usize = 512;

/// One fixed-size entry.
pub(crate) trait IndexEntry: Copy {
    const SIZE: usize;
    fn encode(&self, out: &mut Vec<u8>);
    fn decode(buf: &[u8]) -> Option<Self>;
}

pub(crate) struct IndexFile<E> {
    path: PathBuf,
    file: File,
    /// Entries already in the file.
    on_disk: u64,
    /// Entries not yet written.
    pending: Vec<E>,
    last: Option<E>,
    max_entries: u64,
    /// Whether the file's length was a whole number of entries when opened.
    aligned: bool,
}

impl<E: IndexEntry> IndexFile<E> {
    /// Opens (creating if missing) the file; `truncate` starts it empty.
    pub fn open(path: &Path, max_bytes: u32, truncate: bool) -> Result<Self, LogError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(truncate)
            .open(path)
            .map_err(|e| LogError::io("open", path, e))?;
        let len = file
            .metadata()
            .map_err(|e| LogError::io("stat", path, e))?
            .len();
        let size = E::SIZE as u64;
        let mut index = IndexFile {
            path: path.to_path_buf(),
            file,
            on_disk: len / size,
            pending: Vec::new(),
            last: None,
            max_entries: (u64::from(max_bytes) / size).max(1),
            aligned: len % size == 0,
        };
        if index.on_disk > 0 {
            index.last = Some(index.entry(index.on_disk - 1)?);
        }
        Ok(index)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> u64 {
        self.on_disk + self.pending.len() as u64
    }

    pub fn is_full(&self) -> bool {
        self.len() >= self.max_entries
    }

    pub fn is_aligned(&self) -> bool {
        self.aligned
    }

    pub fn last(&self) -> Option<E> {
        self.last
    }

    pub fn set_max_bytes(&mut self, max_bytes: u32) {
        self.max_entries = (u64::from(max_bytes) / E::SIZE as u64).max(1);
    }

    pub fn push(&mut self, entry: E) -> Result<(), LogError> {
        self.pending.push(entry);
        self.last = Some(entry);
        if self.pending.len() >= PENDING_LIMIT {
            self.write_pending()?;
        }
        Ok(())
    }

    /// Writes buffered entries to the file (no fsync).
    pub fn write_pending(&mut self) -> Result<(), LogError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(self.pending.len() * E::SIZE);
        for e in &self.pending {
            e.encode(&mut buf);
        }
        self.file
            .write_all_at(&buf, self.on_disk * E::SIZE as u64)
            .map_err(|e| LogError::io("write", &self.path, e))?;
        self.on_disk += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Writes buffered entries and frees the buffer (a sealed segment's index never grows).
    pub fn write_and_release(&mut self) -> Result<(), LogError> {
        self.write_pending()?;
        self.pending = Vec::new();
        Ok(())
    }

    /// Writes buffered entries and fsyncs the file.
    pub fn sync(&mut self) -> Result<(), LogError> {
        self.write_pending()?;
        self.file
            .sync_all()
            .map_err(|e| LogError::io("fsync", &self.path, e))
    }

    /// Drops every entry (file truncated to zero).
    pub fn clear(&mut self) -> Result<(), LogError> {
        self.file
            .set_len(0)
            .map_err(|e| LogError::io("truncate", &self.path, e))?;
        self.on_disk = 0;
        self.pending.clear();
        self.last = None;
        self.aligned = true;
        Ok(())
    }

    pub fn entry(&self, i: u64) -> Result<E, LogError> {
        if i >= self.on_disk {
            let at = usize::try_from(i - self.on_disk).unwrap_or(usize::MAX);
            return self
                .pending
                .get(at)
                .copied()
                .ok_or_else(|| self.corrupt("entry past the end"));
        }
        let mut buf = [0u8; 16];
        let slot = buf
            .get_mut(..E::SIZE)
            .ok_or_else(|| self.corrupt("entry size"))?;
        self.file
            .read_exact_at(slot, i * E::SIZE as u64)
            .map_err(|e| LogError::io("read", &self.path, e))?;
        E::decode(slot).ok_or_else(|| self.corrupt("undecodable entry"))
    }

    fn corrupt(&self, reason: &str) -> LogError {
        LogError::Corrupt {
            path: self.path.clone(),
            reason: reason.to_string(),
        }
    }

    /// The last entry for which `pred` holds, given that `pred` holds for a prefix of entries.
    pub fn last_matching(&self, pred: impl Fn(&E) -> bool) -> Result<Option<E>, LogError> {
        if let Some(first_pending) = self.pending.first() {
            if pred(first_pending) {
                let n = self.pending.partition_point(|e| pred(e));
                return Ok(self.pending.get(n.wrapping_sub(1)).copied());
            }
        }
        let (mut lo, mut hi) = (0u64, self.on_disk);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(&self.entry(mid)?) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo == 0 {
            Ok(None)
        } else {
            self.entry(lo - 1).map(Some)
        }
    }
}

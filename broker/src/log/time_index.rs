//! The sparse time index of one segment (`<base offset>.timeindex`): 8-byte timestamp and
//! 4-byte relative offset; each entry is the largest timestamp seen so far and the offset of
//! the batch holding it, so timestamps only grow.

use std::path::Path;

use super::error::LogError;
use super::index_file::{IndexEntry, IndexFile};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeEntry {
    timestamp: i64,
    relative_offset: u32,
}

impl IndexEntry for TimeEntry {
    const SIZE: usize = 12;

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.relative_offset.to_be_bytes());
    }

    fn decode(buf: &[u8]) -> Option<Self> {
        Some(TimeEntry {
            timestamp: i64::from_be_bytes(buf.get(0..8)?.try_into().ok()?),
            relative_offset: u32::from_be_bytes(buf.get(8..12)?.try_into().ok()?),
        })
    }
}

pub(crate) struct TimeIndex {
    base_offset: i64,
    file: IndexFile<TimeEntry>,
}

impl TimeIndex {
    pub fn open(
        path: &Path,
        base_offset: i64,
        max_bytes: u32,
        truncate: bool,
    ) -> Result<Self, LogError> {
        Ok(TimeIndex {
            base_offset,
            file: IndexFile::open(path, max_bytes, truncate)?,
        })
    }

    pub fn file(&mut self) -> &mut IndexFile<TimeEntry> {
        &mut self.file
    }

    pub fn is_full(&self) -> bool {
        self.file.is_full()
    }

    /// Appends (timestamp, offset) if the timestamp is larger than the last entry's.
    pub fn maybe_append(&mut self, timestamp: i64, offset: i64) -> Result<(), LogError> {
        if timestamp < 0 {
            return Ok(());
        }
        if let Some(last) = self.file.last() {
            if timestamp <= last.timestamp {
                return Ok(());
            }
        }
        let relative = u32::try_from(offset - self.base_offset).unwrap_or(0);
        self.file.push(TimeEntry {
            timestamp,
            relative_offset: relative,
        })
    }

    /// The last entry as (timestamp, offset).
    pub fn last_entry(&self) -> Option<(i64, i64)> {
        self.file
            .last()
            .map(|e| (e.timestamp, self.base_offset + i64::from(e.relative_offset)))
    }

    /// An offset from which to scan for the first record with timestamp >= `timestamp`: every
    /// record before it is older. The segment's base when nothing is known.
    pub fn lookup(&self, timestamp: i64) -> Result<i64, LogError> {
        Ok(
            match self.file.last_matching(|e| e.timestamp < timestamp)? {
                Some(e) => self.base_offset + i64::from(e.relative_offset),
                None => self.base_offset,
            },
        )
    }

    pub fn is_sane(&self) -> bool {
        self.file.is_aligned()
            && self
                .last_entry()
                .is_none_or(|(_, offset)| offset >= self.base_offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_growing_timestamps_are_kept_and_lookup_is_strictly_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("00000000000000000100.timeindex");
        let mut index = TimeIndex::open(&path, 100, 1 << 20, true).unwrap();
        index.maybe_append(-1, 100).unwrap();
        assert_eq!(index.last_entry(), None, "no timestamp, no entry");
        index.maybe_append(1000, 104).unwrap();
        index.maybe_append(900, 110).unwrap();
        index.maybe_append(2000, 120).unwrap();
        assert_eq!(index.last_entry(), Some((2000, 120)));
        assert_eq!(
            index.lookup(1000).unwrap(),
            100,
            "records before 1000 may sit anywhere before 104"
        );
        assert_eq!(index.lookup(1001).unwrap(), 104);
        assert_eq!(index.lookup(5000).unwrap(), 120);
        index.file().write_pending().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 24);
        let reopened = TimeIndex::open(&path, 100, 1 << 20, false).unwrap();
        assert!(reopened.is_sane());
        assert_eq!(reopened.last_entry(), Some((2000, 120)));
    }
}

//! The sparse offset index of one segment (`<base offset>.index`): 4-byte offset relative to
//! the segment's base and 4-byte file position, one entry every `index.interval.bytes`.

use std::path::Path;

use super::error::LogError;
use super::index_file::{IndexEntry, IndexFile};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OffsetEntry {
    relative_offset: u32,
    position: u32,
}

impl IndexEntry for OffsetEntry {
    const SIZE: usize = 8;

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.relative_offset.to_be_bytes());
        out.extend_from_slice(&self.position.to_be_bytes());
    }

    fn decode(buf: &[u8]) -> Option<Self> {
        Some(OffsetEntry {
            relative_offset: u32::from_be_bytes(buf.get(0..4)?.try_into().ok()?),
            position: u32::from_be_bytes(buf.get(4..8)?.try_into().ok()?),
        })
    }
}

pub(crate) struct OffsetIndex {
    base_offset: i64,
    file: IndexFile<OffsetEntry>,
}

impl OffsetIndex {
    pub fn open(
        path: &Path,
        base_offset: i64,
        max_bytes: u32,
        truncate: bool,
    ) -> Result<Self, LogError> {
        Ok(OffsetIndex {
            base_offset,
            file: IndexFile::open(path, max_bytes, truncate)?,
        })
    }

    pub fn file(&mut self) -> &mut IndexFile<OffsetEntry> {
        &mut self.file
    }

    pub fn is_full(&self) -> bool {
        self.file.is_full()
    }

    /// Adds an entry: records at `offset` and later start at or after `position`.
    pub fn append(&mut self, offset: i64, position: u64) -> Result<(), LogError> {
        let relative = u32::try_from(offset - self.base_offset).unwrap_or(u32::MAX);
        let position = u32::try_from(position).unwrap_or(u32::MAX);
        if let Some(last) = self.file.last() {
            if relative <= last.relative_offset {
                return Ok(());
            }
        }
        self.file.push(OffsetEntry {
            relative_offset: relative,
            position,
        })
    }

    /// Largest indexed (offset, position) with offset <= `offset`; the segment start otherwise.
    pub fn lookup(&self, offset: i64) -> Result<(i64, u64), LogError> {
        let target = offset - self.base_offset;
        if target < 0 {
            return Ok((self.base_offset, 0));
        }
        let target = u32::try_from(target).unwrap_or(u32::MAX);
        Ok(
            match self.file.last_matching(|e| e.relative_offset <= target)? {
                Some(e) => (
                    self.base_offset + i64::from(e.relative_offset),
                    u64::from(e.position),
                ),
                None => (self.base_offset, 0),
            },
        )
    }

    /// Kafka's sanity check on load: whole entries, and the last one inside the log file.
    pub fn is_sane(&self, log_size: u64) -> bool {
        if !self.file.is_aligned() {
            return false;
        }
        match self.file.last() {
            None => true,
            Some(e) => u64::from(e.position) < log_size.max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_span_written_and_buffered_entries_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("00000000000000001000.index");
        let mut index = OffsetIndex::open(&path, 1000, 1 << 20, true).unwrap();
        assert_eq!(
            index.lookup(5000).unwrap(),
            (1000, 0),
            "empty index: segment start"
        );
        for i in 0..1200u64 {
            index.append(1000 + 10 * i as i64, 100 * i).unwrap();
        }
        // 1024 entries went to the file in two writes, 176 are still buffered.
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 1024 * 8);
        assert_eq!(index.lookup(999).unwrap(), (1000, 0));
        assert_eq!(index.lookup(1000).unwrap(), (1000, 0));
        assert_eq!(index.lookup(1015).unwrap(), (1010, 100));
        assert_eq!(
            index.lookup(1000 + 10 * 1023 + 9).unwrap(),
            (1000 + 10 * 1023, 102_300)
        );
        assert_eq!(
            index.lookup(1000 + 10 * 1100).unwrap(),
            (1000 + 10 * 1100, 110_000)
        );
        assert_eq!(index.lookup(i64::MAX).unwrap(), (1000 + 10 * 1199, 119_900));
        index.append(1000 + 10 * 1199, 1).unwrap(); // not increasing: ignored
        index.file().write_pending().unwrap();
        drop(index);

        let index = OffsetIndex::open(&path, 1000, 1 << 20, false).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 1200 * 8);
        assert!(index.is_sane(119_901));
        assert!(
            !index.is_sane(119_900),
            "last entry beyond the log is insane"
        );
        assert_eq!(
            index.lookup(1000 + 10 * 600 + 3).unwrap(),
            (1000 + 10 * 600, 60_000)
        );
    }

    #[test]
    fn a_partial_entry_fails_the_sanity_check_and_fullness_follows_the_byte_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("00000000000000000000.index");
        std::fs::write(&path, [0u8; 11]).unwrap();
        let index = OffsetIndex::open(&path, 0, 24, false).unwrap();
        assert!(!index.is_sane(1000));
        let mut index = OffsetIndex::open(&path, 0, 24, true).unwrap();
        for i in 0..3 {
            assert!(!index.is_full());
            index.append(i + 1, i as u64 * 10).unwrap();
        }
        assert!(index.is_full(), "24 bytes hold three entries");
    }
}

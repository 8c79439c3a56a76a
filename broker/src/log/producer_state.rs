//! Idempotent producer state, as Kafka's ProducerStateManager keeps it for non-transactional
//! producers: per producer id the epoch and the last five batches (sequences and offsets), so a
//! retried batch is answered with its original offsets and gaps are refused.
//!
//! The log is the source of truth: this state is rebuilt from batch headers on open, starting
//! from a snapshot (`<offset>.snapshot` in Kafka's format, written on roll and close) when one
//! is usable. Kafka's own `DumpLogSegments` reads these snapshots.

use std::collections::{HashMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use super::checkpoint::write_atomically;
use super::error::{AppendError, LogError};
use ferrokafka_protocol::batch::BatchHeader;

/// Batches remembered per producer (the client's `max.in.flight.requests.per.connection` cap).
pub const NUM_BATCHES_TO_RETAIN: usize = 5;
const NO_PRODUCER_EPOCH: i16 = -1;

/// One remembered batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchMetadata {
    pub first_seq: i32,
    pub last_seq: i32,
    pub first_offset: i64,
    pub last_offset: i64,
    /// Max timestamp of the batch as stored.
    pub timestamp: i64,
}

/// What the log knows about one producer id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerEntry {
    pub epoch: i16,
    pub batches: VecDeque<BatchMetadata>,
    pub last_timestamp: i64,
}

impl ProducerEntry {
    fn new() -> Self {
        ProducerEntry {
            epoch: NO_PRODUCER_EPOCH,
            batches: VecDeque::with_capacity(NUM_BATCHES_TO_RETAIN),
            last_timestamp: -1,
        }
    }

    fn last_offset(&self) -> i64 {
        self.batches.back().map(|b| b.last_offset).unwrap_or(-1)
    }

    /// Records a batch; a new epoch forgets the old epoch's batches (Kafka does the same).
    fn push(&mut self, epoch: i16, batch: BatchMetadata) {
        if epoch != self.epoch {
            self.batches.clear();
            self.epoch = epoch;
        }
        if self.batches.len() == NUM_BATCHES_TO_RETAIN {
            self.batches.pop_front();
        }
        self.batches.push_back(batch);
        self.last_timestamp = batch.timestamp;
    }
}

fn in_sequence(last_seq: i32, next_seq: i32) -> bool {
    i64::from(next_seq) == i64::from(last_seq) + 1 || (next_seq == 0 && last_seq == i32::MAX)
}

/// Producer ids of one partition.
#[derive(Debug, Default)]
pub struct ProducerStateManager {
    producers: HashMap<i64, ProducerEntry>,
}

/// Updates computed while validating one append, applied only once the append is written.
#[derive(Debug, Default)]
pub struct PendingProducerUpdates {
    entries: HashMap<i64, ProducerEntry>,
}

impl ProducerStateManager {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.producers.len()
    }

    /// A batch this producer already wrote (same epoch, same sequence range), if any.
    pub fn find_duplicate(&self, header: &BatchHeader) -> Option<BatchMetadata> {
        let entry = self.producers.get(&header.producer_id)?;
        if entry.epoch != header.producer_epoch {
            return None;
        }
        let last_seq = header.last_sequence();
        entry
            .batches
            .iter()
            .find(|b| b.first_seq == header.base_sequence && b.last_seq == last_seq)
            .copied()
    }

    /// Checks epoch and sequence of a new batch (Kafka's `ProducerAppendInfo`) and records it
    /// in `pending` with its assigned offsets.
    pub fn check_and_stage(
        &self,
        pending: &mut PendingProducerUpdates,
        header: &BatchHeader,
        first_offset: i64,
        max_timestamp: i64,
    ) -> Result<(), AppendError> {
        let pid = header.producer_id;
        let epoch = header.producer_epoch;
        let first_seq = header.base_sequence;
        let known = self.producers.contains_key(&pid) || pending.entries.contains_key(&pid);
        let entry = pending.entries.entry(pid).or_insert_with(|| {
            self.producers
                .get(&pid)
                .cloned()
                .unwrap_or_else(ProducerEntry::new)
        });
        if epoch < entry.epoch {
            return Err(AppendError::InvalidProducerEpoch(format!(
                "producer {pid} sent epoch {epoch}, older than the current epoch {}",
                entry.epoch
            )));
        }
        if epoch != entry.epoch {
            if first_seq != 0 && entry.epoch != NO_PRODUCER_EPOCH {
                return Err(AppendError::OutOfOrderSequence(format!(
                    "producer {pid} started epoch {epoch} at sequence {first_seq}; a new epoch must start at 0"
                )));
            }
        } else if known {
            if let Some(last) = entry.batches.back() {
                if !in_sequence(last.last_seq, first_seq) {
                    return Err(AppendError::OutOfOrderSequence(format!(
                        "producer {pid} epoch {epoch} sent sequence {first_seq}, expected {}",
                        increment(last.last_seq)
                    )));
                }
            }
        }
        entry.push(
            epoch,
            BatchMetadata {
                first_seq,
                last_seq: header.last_sequence(),
                first_offset,
                last_offset: first_offset + i64::from(header.last_offset_delta),
                timestamp: max_timestamp,
            },
        );
        Ok(())
    }

    /// Applies staged updates after the append reached the log.
    pub fn commit(&mut self, pending: PendingProducerUpdates) {
        self.producers.extend(pending.entries);
    }

    /// Replays a stored batch (rebuild on open): no checks, the log is authoritative.
    pub fn replay(&mut self, header: &BatchHeader) {
        if !header.has_producer_id() {
            return;
        }
        let entry = self
            .producers
            .entry(header.producer_id)
            .or_insert_with(ProducerEntry::new);
        if header.producer_epoch < entry.epoch {
            return;
        }
        entry.push(
            header.producer_epoch,
            BatchMetadata {
                first_seq: header.base_sequence,
                last_seq: header.last_sequence(),
                first_offset: header.base_offset,
                last_offset: header.last_offset(),
                timestamp: header.max_timestamp,
            },
        );
    }

    /// Forgets producers whose every batch is below the log start offset (Kafka's truncateHead).
    pub fn remove_before(&mut self, log_start_offset: i64) {
        self.producers
            .retain(|_, e| e.last_offset() >= log_start_offset);
    }

    /// Forgets producers silent for `expiration_ms` (Kafka's `producer.id.expiration.ms`).
    pub fn expire(&mut self, now_ms: i64, expiration_ms: i64) {
        self.producers
            .retain(|_, e| now_ms.saturating_sub(e.last_timestamp) < expiration_ms);
    }

    /// Serialises the state in Kafka's producer snapshot format (version 1): version, CRC-32C
    /// of the rest, then entries (producer id, epoch, last sequence, last offset, offset delta,
    /// timestamp, coordinator epoch, current transaction first offset). Kafka keeps one entry
    /// per producer; this writes one per remembered batch, oldest first, so Kafka's loader
    /// (last entry wins) reads the newest batch and this one gets all five back.
    fn encode(&self) -> Vec<u8> {
        let mut ids: Vec<_> = self.producers.keys().copied().collect();
        ids.sort_unstable();
        let count: usize = self.producers.values().map(|e| e.batches.len()).sum();
        let mut out = Vec::with_capacity(SNAPSHOT_ENTRIES_AT + 4 + count * SNAPSHOT_ENTRY_SIZE);
        out.extend_from_slice(&SNAPSHOT_VERSION.to_be_bytes());
        out.extend_from_slice(&[0; 4]); // CRC, filled in below
        out.extend_from_slice(&(count as u32).to_be_bytes());
        for pid in ids {
            let Some(e) = self.producers.get(&pid) else {
                continue;
            };
            for b in &e.batches {
                out.extend_from_slice(&pid.to_be_bytes());
                out.extend_from_slice(&e.epoch.to_be_bytes());
                out.extend_from_slice(&b.last_seq.to_be_bytes());
                out.extend_from_slice(&b.last_offset.to_be_bytes());
                let delta = i32::try_from(b.last_offset - b.first_offset).unwrap_or(0);
                out.extend_from_slice(&delta.to_be_bytes());
                out.extend_from_slice(&b.timestamp.to_be_bytes());
                out.extend_from_slice(&(-1i32).to_be_bytes()); // coordinator epoch
                out.extend_from_slice(&(-1i64).to_be_bytes()); // no open transaction
            }
        }
        let crc = crc32c::crc32c(&out[SNAPSHOT_ENTRIES_AT..]);
        out[2..SNAPSHOT_ENTRIES_AT].copy_from_slice(&crc.to_be_bytes());
        out
    }

    fn decode(buf: &[u8]) -> Option<ProducerStateManager> {
        let mut r = Reader { buf, pos: 0 };
        if r.u16()? != SNAPSHOT_VERSION {
            return None;
        }
        let crc = r.u32()?;
        if crc32c::crc32c(buf.get(SNAPSHOT_ENTRIES_AT..)?) != crc {
            return None;
        }
        let count = r.u32()? as usize;
        if buf.len() != SNAPSHOT_ENTRIES_AT + 4 + count.checked_mul(SNAPSHOT_ENTRY_SIZE)? {
            return None;
        }
        let mut state = ProducerStateManager::new();
        for _ in 0..count {
            let pid = r.i64()?;
            let epoch = r.u16()? as i16;
            let last_seq = r.u32()? as i32;
            let last_offset = r.i64()?;
            let delta = r.u32()? as i32;
            let timestamp = r.i64()?;
            let _coordinator_epoch = r.u32()?;
            let _txn_first_offset = r.i64()?;
            let entry = state
                .producers
                .entry(pid)
                .or_insert_with(ProducerEntry::new);
            entry.push(
                epoch,
                BatchMetadata {
                    first_seq: decrement_sequence(last_seq, delta),
                    last_seq,
                    first_offset: last_offset - i64::from(delta),
                    last_offset,
                    timestamp,
                },
            );
        }
        Some(state)
    }

    /// Writes `<dir>/<offset>.snapshot` (state covering every offset below `offset`) and keeps
    /// only the two newest snapshots.
    pub fn write_snapshot(&self, dir: &Path, offset: i64, durable: bool) -> Result<(), LogError> {
        write_atomically(&snapshot_path(dir, offset), &self.encode(), durable)?;
        let mut offsets = list_snapshots(dir)?;
        offsets.sort_unstable();
        let keep_from = offsets.len().saturating_sub(2);
        for old in &offsets[..keep_from] {
            remove_snapshot(dir, *old)?;
        }
        Ok(())
    }

    /// Loads the newest readable snapshot at or below `max_offset`; deletes newer ones (they
    /// describe records a truncation removed) and unreadable ones.
    pub fn load_latest_snapshot(
        dir: &Path,
        max_offset: i64,
    ) -> Result<Option<(i64, ProducerStateManager)>, LogError> {
        let mut offsets = list_snapshots(dir)?;
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        for offset in offsets {
            if offset > max_offset {
                remove_snapshot(dir, offset)?;
                continue;
            }
            let path = snapshot_path(dir, offset);
            let bytes = fs::read(&path).map_err(|e| LogError::io("read", &path, e))?;
            match ProducerStateManager::decode(&bytes) {
                Some(state) => return Ok(Some((offset, state))),
                None => {
                    tracing::warn!(path = %path.display(), "ignoring unreadable producer state snapshot");
                    remove_snapshot(dir, offset)?;
                }
            }
        }
        Ok(None)
    }
}

fn increment(seq: i32) -> i32 {
    if seq == i32::MAX {
        0
    } else {
        seq + 1
    }
}

/// Kafka's producer snapshot version and layout.
const SNAPSHOT_VERSION: u16 = 1;
/// Where the entry array (count, then entries) starts: after version and CRC.
const SNAPSHOT_ENTRIES_AT: usize = 6;
const SNAPSHOT_ENTRY_SIZE: usize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

/// `seq - delta`, wrapping below 0 to `i32::MAX` like Kafka's sequences.
fn decrement_sequence(seq: i32, delta: i32) -> i32 {
    if delta > seq {
        i32::MAX - (delta - seq) + 1
    } else {
        seq - delta
    }
}

pub(crate) fn snapshot_path(dir: &Path, offset: i64) -> PathBuf {
    dir.join(format!("{offset:020}.snapshot"))
}

fn list_snapshots(dir: &Path) -> Result<Vec<i64>, LogError> {
    let mut out = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| LogError::io("list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| LogError::io("list", dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(stem) = name.strip_suffix(".snapshot") {
            if let Ok(offset) = stem.parse::<i64>() {
                out.push(offset);
            }
        }
    }
    Ok(out)
}

fn remove_snapshot(dir: &Path, offset: i64) -> Result<(), LogError> {
    let path = snapshot_path(dir, offset);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(LogError::io("delete", &path, e)),
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(pid: i64, epoch: i16, seq: i32, base_offset: i64, n: i32) -> BatchHeader {
        BatchHeader {
            base_offset,
            batch_length: 0,
            partition_leader_epoch: 0,
            magic: 2,
            crc: 0,
            attributes: 0,
            last_offset_delta: n - 1,
            base_timestamp: 10,
            max_timestamp: 10 + base_offset,
            producer_id: pid,
            producer_epoch: epoch,
            base_sequence: seq,
            record_count: n,
        }
    }

    #[test]
    fn snapshots_round_trip_all_five_batches_in_kafkas_layout() {
        let mut state = ProducerStateManager::new();
        let mut offset = 0;
        for i in 0..7 {
            state.replay(&header(1, 3, i * 2, offset, 2));
            offset += 2;
        }
        state.replay(&header(2, 0, i32::MAX - 1, offset, 4)); // MAX-1, MAX, 0, 1
        let bytes = state.encode();
        assert_eq!(&bytes[..2], &1u16.to_be_bytes(), "Kafka snapshot version 1");
        assert_eq!(bytes.len(), 6 + 4 + 6 * SNAPSHOT_ENTRY_SIZE);
        let decoded = ProducerStateManager::decode(&bytes).unwrap();
        assert_eq!(decoded.producers, state.producers);
        assert_eq!(decoded.producers[&2].batches[0].first_seq, i32::MAX - 1);
        assert_eq!(decoded.producers[&2].batches[0].last_seq, 1);

        let mut corrupt = bytes.clone();
        corrupt[20] ^= 1;
        assert!(ProducerStateManager::decode(&corrupt).is_none());
        assert!(ProducerStateManager::decode(&bytes[..bytes.len() - 1]).is_none());
    }

    #[test]
    fn a_kafka_snapshot_with_one_entry_per_producer_loads_its_last_batch() {
        let mut state = ProducerStateManager::new();
        state.replay(&header(9, 1, 40, 100, 5));
        let decoded = ProducerStateManager::decode(&state.encode()).unwrap();
        let entry = &decoded.producers[&9];
        assert_eq!(entry.epoch, 1);
        assert_eq!(
            entry.batches.back().copied(),
            Some(BatchMetadata {
                first_seq: 40,
                last_seq: 44,
                first_offset: 100,
                last_offset: 104,
                timestamp: 110,
            })
        );
    }
}

//! Durable coordinator state: append-only record files under the state directory.
//!
//! Owns the on-disk format and nothing else: every change (committed offsets, offset deletions,
//! group metadata, group deletion) is one length-prefixed, CRC32C-checked frame appended with
//! `write_all` before the request is answered (the page cache survives a process kill). State is
//! spread over [`SHARDS`] files by a stable hash of the group id so commits of different groups do
//! not serialize on one lock. Each shard keeps the latest frame per key in memory; when a file
//! grows well past that live state it is compacted (rewritten to a temporary file, synced and
//! atomically renamed). A torn or corrupt tail is detected on open and truncated.
//!
//! Frame layout: `u32 BE payload length | u32 BE crc32c(payload) | payload (JSON Record)`.
//! This module must not know group semantics beyond "which key does a record replace".

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use super::config::CoordinatorError;

/// Number of state files; a group always lands in the same one (crc32c of its id).
pub(crate) const SHARDS: usize = 8;
/// A frame longer than this is treated as corruption (no group record is anywhere near it).
const MAX_FRAME: usize = 256 * 1024 * 1024;
/// Files smaller than this are never compacted outside `open`/`shutdown`.
const COMPACT_MIN_BYTES: u64 = 8 * 1024 * 1024;

/// One committed offset as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct OffsetEntry {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub leader_epoch: i32,
    pub metadata: Option<String>,
    pub commit_ts: i64,
}

/// One group member as stored with its group's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MemberRecord {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub rebalance_timeout_ms: i32,
    pub session_timeout_ms: i32,
    /// Metadata of the group's selected protocol.
    pub subscription: Vec<u8>,
    pub assignment: Vec<u8>,
}

/// Group metadata as stored (what Kafka writes to `__consumer_offsets` as GroupMetadataValue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct GroupRecord {
    pub group: String,
    pub protocol_type: Option<String>,
    pub generation: i32,
    pub protocol_name: Option<String>,
    pub leader: Option<String>,
    /// Wall-clock time (ms) of the group's last state change.
    pub state_ts: i64,
    pub members: Vec<MemberRecord>,
}

/// A change to the durable state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Record {
    /// Offsets committed in one request (one frame, so applied all-or-nothing).
    Offsets {
        group: String,
        entries: Vec<OffsetEntry>,
    },
    /// Offsets removed (OffsetDelete, expiry, topic deletion).
    OffsetTombstones {
        group: String,
        partitions: Vec<(String, i32)>,
    },
    /// The group's metadata, replacing any earlier one.
    Group(GroupRecord),
    /// The group and all its offsets are gone.
    GroupTombstone { group: String },
}

/// Key of the live state: group metadata (`None`) or one partition's offset.
type Key = (String, Option<(String, i32)>);

struct Shard {
    path: PathBuf,
    file: File,
    file_len: u64,
    /// Latest frame per key; the compacted file is exactly these frames.
    live: BTreeMap<Key, Vec<u8>>,
    live_len: u64,
}

/// The set of shard files.
pub(crate) struct Store {
    shards: Vec<Mutex<Shard>>,
    compact_min_bytes: u64,
}

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 8);
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&crc32c::crc32c(payload).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn encode(record: &Record) -> Vec<u8> {
    // Serializing plain data structs to JSON cannot fail.
    frame(&serde_json::to_vec(record).unwrap_or_default())
}

/// Splits `data` into valid records; returns them and the length of the valid prefix.
pub(crate) fn parse_frames(data: &[u8]) -> (Vec<Record>, usize) {
    let mut records = Vec::new();
    let mut pos = 0usize;
    while let Some(header) = data.get(pos..pos + 8) {
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let crc = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
        if len > MAX_FRAME {
            break;
        }
        let Some(payload) = data.get(pos + 8..pos + 8 + len) else {
            break;
        };
        if crc32c::crc32c(payload) != crc {
            break;
        }
        match serde_json::from_slice::<Record>(payload) {
            Ok(r) => records.push(r),
            Err(_) => break,
        }
        pos += 8 + len;
    }
    (records, pos)
}

fn shard_of(group: &str) -> usize {
    crc32c::crc32c(group.as_bytes()) as usize % SHARDS
}

fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    // A panic while holding the lock cannot leave the shard half-updated in a way that matters
    // more than losing the process would; keep serving.
    shard.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shard {
    fn apply(&mut self, record: &Record) {
        match record {
            Record::Offsets { group, entries } => {
                for e in entries {
                    let bytes = encode(&Record::Offsets {
                        group: group.clone(),
                        entries: vec![e.clone()],
                    });
                    self.put((group.clone(), Some((e.topic.clone(), e.partition))), bytes);
                }
            }
            Record::OffsetTombstones { group, partitions } => {
                for (t, p) in partitions {
                    self.remove(&(group.clone(), Some((t.clone(), *p))));
                }
            }
            Record::Group(g) => {
                let bytes = encode(record);
                self.put((g.group.clone(), None), bytes);
            }
            Record::GroupTombstone { group } => {
                let keys: Vec<Key> = self
                    .live
                    .range((group.clone(), None)..)
                    .take_while(|(k, _)| &k.0 == group)
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in keys {
                    self.remove(&k);
                }
            }
        }
    }

    fn put(&mut self, key: Key, bytes: Vec<u8>) {
        self.live_len += bytes.len() as u64;
        if let Some(old) = self.live.insert(key, bytes) {
            self.live_len -= old.len() as u64;
        }
    }

    fn remove(&mut self, key: &Key) {
        if let Some(old) = self.live.remove(key) {
            self.live_len -= old.len() as u64;
        }
    }

    /// Whether the file holds more than the live frames (superseded frames or a torn tail).
    fn has_garbage(&self) -> bool {
        self.file_len != self.live_len
    }

    /// Rewrites the file to exactly the live frames: temp file, fsync, rename, fsync dir.
    fn compact(&mut self) -> Result<(), CoordinatorError> {
        let mut buf = Vec::with_capacity(self.live_len as usize);
        for bytes in self.live.values() {
            buf.extend_from_slice(bytes);
        }
        crate::durable::write_atomically(&self.path, &buf, true)?;
        self.file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(|e| CoordinatorError::io(self.path.clone(), e))?;
        self.file_len = buf.len() as u64;
        Ok(())
    }
}

impl Store {
    /// Opens (creating) the shard files under `dir`, truncates torn tails, compacts, and returns
    /// the live records to rebuild the in-memory state from.
    pub(crate) fn open(dir: &Path) -> Result<(Store, Vec<Record>), CoordinatorError> {
        std::fs::create_dir_all(dir).map_err(|e| CoordinatorError::io(dir, e))?;
        let mut shards = Vec::with_capacity(SHARDS);
        let mut records = Vec::new();
        for i in 0..SHARDS {
            let path = dir.join(format!("groups-{i}.log"));
            let data = match std::fs::read(&path) {
                Ok(d) => d,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(CoordinatorError::io(&path, e)),
            };
            let (parsed, valid) = parse_frames(&data);
            if valid < data.len() {
                tracing::warn!(
                    path = %path.display(),
                    valid_bytes = valid,
                    dropped_bytes = data.len() - valid,
                    "truncating torn or corrupt tail of group coordinator state"
                );
            }
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| CoordinatorError::io(&path, e))?;
            let mut shard = Shard {
                path,
                file,
                file_len: data.len() as u64,
                live: BTreeMap::new(),
                live_len: 0,
            };
            for r in &parsed {
                shard.apply(r);
            }
            // Compaction also drops the torn tail, since only live frames are rewritten. A file
            // that already is exactly its live frames (e.g. a new, empty one) is left alone:
            // rewriting it would cost fsyncs on every start for nothing.
            if shard.has_garbage() {
                shard.compact()?;
            }
            for bytes in shard.live.values() {
                records.extend(parse_frames(bytes).0);
            }
            shards.push(Mutex::new(shard));
        }
        Ok((
            Store {
                shards,
                compact_min_bytes: COMPACT_MIN_BYTES,
            },
            records,
        ))
    }

    /// Appends one record for `group` and returns once it is in the page cache.
    pub(crate) fn append(&self, group: &str, record: &Record) -> Result<(), CoordinatorError> {
        let Some(shard) = self.shards.get(shard_of(group)) else {
            return Ok(());
        };
        let bytes = encode(record);
        let mut s = lock(shard);
        if let Err(e) = s.file.write_all(&bytes) {
            return Err(CoordinatorError::io(&s.path, e));
        }
        s.file_len += bytes.len() as u64;
        s.apply(record);
        if s.file_len > self.compact_min_bytes && s.file_len > 2 * s.live_len {
            if let Err(e) = s.compact() {
                // The appended record is already durable; compaction can be retried later.
                tracing::warn!(error = %e, "compacting group coordinator state failed");
            }
        }
        Ok(())
    }

    /// Syncs every shard, compacting those holding superseded frames (clean shutdown).
    pub(crate) fn flush_and_compact(&self) -> Result<(), CoordinatorError> {
        for shard in &self.shards {
            let mut s = lock(shard);
            if s.has_garbage() {
                s.compact()?;
            } else {
                let path = s.path.clone();
                s.file
                    .sync_data()
                    .map_err(|e| CoordinatorError::io(&path, e))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(group: &str, topic: &str, p: i32, o: i64) -> Record {
        Record::Offsets {
            group: group.into(),
            entries: vec![OffsetEntry {
                topic: topic.into(),
                partition: p,
                offset: o,
                leader_epoch: -1,
                metadata: None,
                commit_ts: 1,
            }],
        }
    }

    #[test]
    fn replays_latest_value_per_key_and_tombstones() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, recs) = Store::open(dir.path()).unwrap();
            assert!(recs.is_empty());
            store.append("g", &offsets("g", "t", 0, 5)).unwrap();
            store.append("g", &offsets("g", "t", 0, 7)).unwrap();
            store.append("g", &offsets("g", "t", 1, 9)).unwrap();
            store
                .append(
                    "g",
                    &Record::OffsetTombstones {
                        group: "g".into(),
                        partitions: vec![("t".into(), 1)],
                    },
                )
                .unwrap();
            store.append("h", &offsets("h", "t", 0, 1)).unwrap();
            store
                .append("h", &Record::GroupTombstone { group: "h".into() })
                .unwrap();
        }
        let (_store, recs) = Store::open(dir.path()).unwrap();
        assert_eq!(recs, vec![offsets("g", "t", 0, 7)]);
    }

    #[test]
    fn file_is_compacted_when_it_grows() {
        let dir = tempfile::tempdir().unwrap();
        let shard_path = dir.path().join(format!("groups-{}.log", shard_of("g")));
        let (mut store, _) = Store::open(dir.path()).unwrap();
        store.compact_min_bytes = 4096;
        for i in 0..1000 {
            store
                .append("g", &offsets("g", "t", i % 2, i as i64))
                .unwrap();
            let len = std::fs::metadata(&shard_path).unwrap().len();
            assert!(len < 4096 + 1024, "file stays bounded, got {len} bytes");
        }
        drop(store);
        let (_s, mut recs) = Store::open(dir.path()).unwrap();
        recs.sort_by_key(|r| match r {
            Record::Offsets { entries, .. } => entries[0].partition,
            _ => -1,
        });
        assert_eq!(
            recs,
            vec![offsets("g", "t", 0, 998), offsets("g", "t", 1, 999)]
        );
    }

    #[test]
    fn torn_tail_is_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let shard_path = dir.path().join(format!("groups-{}.log", shard_of("g")));
        {
            let (store, _) = Store::open(dir.path()).unwrap();
            store.append("g", &offsets("g", "t", 0, 5)).unwrap();
        }
        let good_len = std::fs::metadata(&shard_path).unwrap().len();
        let torn = encode(&offsets("g", "t", 0, 6));
        let mut f = OpenOptions::new().append(true).open(&shard_path).unwrap();
        f.write_all(&torn[..torn.len() - 3]).unwrap();
        drop(f);
        let (store, recs) = Store::open(dir.path()).unwrap();
        assert_eq!(recs, vec![offsets("g", "t", 0, 5)]);
        assert_eq!(std::fs::metadata(&shard_path).unwrap().len(), good_len);
        // Appending after the truncation yields a readable file again.
        store.append("g", &offsets("g", "t", 0, 8)).unwrap();
        drop(store);
        let (_s, recs) = Store::open(dir.path()).unwrap();
        assert_eq!(recs, vec![offsets("g", "t", 0, 8)]);
    }

    #[test]
    fn corrupt_crc_stops_replay() {
        let mut data = encode(&offsets("g", "t", 0, 5));
        let second = encode(&offsets("g", "t", 0, 6));
        let first_len = data.len();
        data.extend_from_slice(&second);
        let last = data.len() - 1;
        data[last] ^= 0xff;
        let (recs, valid) = parse_frames(&data);
        assert_eq!(recs.len(), 1);
        assert_eq!(valid, first_len);
        // An absurd length prefix is treated as a torn tail, not an allocation.
        let (recs, valid) = parse_frames(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1]);
        assert!(recs.is_empty());
        assert_eq!(valid, 0);
    }
}

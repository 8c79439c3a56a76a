//! Tests of the partition log through its public API, with real v2 batches built by
//! kafka-protocol's `RecordBatchEncoder` in temporary directories.

mod append_read;
mod file_slice;
mod idempotence;
mod recovery;
mod retention;
mod timestamps;
mod untrusted;
mod validation;

use bytes::{Bytes, BytesMut};
use indexmap::IndexMap;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions,
    TimestampType as WireTimestampType,
};
use std::path::Path;

use super::{LogConfig, PartitionLog};

pub(crate) const ALL_CODECS: [Compression; 5] = [
    Compression::None,
    Compression::Gzip,
    Compression::Snappy,
    Compression::Lz4,
    Compression::Zstd,
];

/// Broker clock used by most tests; record timestamps sit just before it.
pub(crate) const NOW: i64 = 1_700_000_000_000;

/// Describes one batch to encode.
#[derive(Clone)]
pub(crate) struct Spec {
    pub timestamps: Vec<i64>,
    pub keys: bool,
    pub value_len: usize,
    pub producer: Option<(i64, i16, i32)>,
    pub compression: Compression,
}

impl Spec {
    pub fn records(n: usize) -> Spec {
        Spec {
            timestamps: (0..n).map(|i| NOW - 1000 + i as i64).collect(),
            keys: true,
            value_len: 20,
            producer: None,
            compression: Compression::None,
        }
    }

    pub fn timestamps(ts: &[i64]) -> Spec {
        Spec {
            timestamps: ts.to_vec(),
            ..Spec::records(0)
        }
    }

    pub fn codec(mut self, compression: Compression) -> Spec {
        self.compression = compression;
        self
    }

    pub fn value_len(mut self, len: usize) -> Spec {
        self.value_len = len;
        self
    }

    pub fn keyless(mut self) -> Spec {
        self.keys = false;
        self
    }

    pub fn producer(mut self, id: i64, epoch: i16, base_sequence: i32) -> Spec {
        self.producer = Some((id, epoch, base_sequence));
        self
    }

    pub fn encode(&self) -> Vec<u8> {
        let (pid, epoch, seq) = self.producer.unwrap_or((-1, -1, -1));
        let records: Vec<Record> = self
            .timestamps
            .iter()
            .enumerate()
            .map(|(i, ts)| Record {
                transactional: false,
                control: false,
                delete_horizon: false,
                partition_leader_epoch: -1,
                producer_id: pid,
                producer_epoch: epoch,
                timestamp_type: WireTimestampType::Creation,
                offset: i as i64,
                // The encoder keeps records in one batch while offset - sequence is constant.
                sequence: if seq < 0 {
                    i as i32 - 1
                } else {
                    seq.wrapping_add(i as i32)
                },
                timestamp: *ts,
                key: self.keys.then(|| Bytes::from(format!("key-{i}"))),
                value: Some(Bytes::from(noise(i, self.value_len))),
                headers: IndexMap::new(),
            })
            .collect();
        let mut buf = BytesMut::new();
        RecordBatchEncoder::encode(
            &mut buf,
            records.iter(),
            &RecordEncodeOptions {
                version: 2,
                compression: self.compression,
            },
        )
        .expect("test batch encodes");
        buf.to_vec()
    }
}

/// Poorly compressible bytes, so compressed batches still fill segments.
fn noise(seed: usize, len: usize) -> Vec<u8> {
    let mut x = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// (offset, timestamp, value length) of every record in `bytes`, decoded by kafka-protocol.
pub(crate) fn decode(bytes: &[u8]) -> Vec<(i64, i64, usize)> {
    let mut buf = Bytes::copy_from_slice(bytes);
    let sets = RecordBatchDecoder::decode_all(&mut buf).expect("stored batches decode");
    sets.into_iter()
        .flat_map(|s| s.records)
        .map(|r| (r.offset, r.timestamp, r.value.map(|v| v.len()).unwrap_or(0)))
        .collect()
}

pub(crate) fn small_segments() -> LogConfig {
    LogConfig {
        segment_bytes: 2048,
        index_interval_bytes: 256,
        ..LogConfig::default()
    }
}

pub(crate) fn open(dir: &Path, config: LogConfig) -> PartitionLog {
    PartitionLog::open(dir, config, NOW).expect("log opens")
}

/// Appends `n` single-spec batches; returns the base offset of each.
pub(crate) fn append_n(log: &mut PartitionLog, n: usize, spec: &Spec) -> Vec<i64> {
    (0..n)
        .map(|_| {
            log.append(&spec.encode(), 0, NOW)
                .expect("append succeeds")
                .base_offset
        })
        .collect()
}

/// Every record offset readable from `from` to the log end, following batch boundaries.
pub(crate) fn read_all(log: &PartitionLog, from: i64) -> Vec<(i64, i64, usize)> {
    let mut out = Vec::new();
    let mut next = from;
    while next < log.log_end_offset() {
        let read = log.read(next, 64 * 1024, true).expect("read succeeds");
        assert!(!read.records.is_empty(), "read at {next} returned nothing");
        for r in decode(&read.records) {
            if r.0 >= next {
                out.push(r);
            }
        }
        next = out.last().map(|r| r.0 + 1).unwrap_or(next);
    }
    out
}

pub(crate) fn files_with_ext(dir: &Path, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir lists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(&format!(".{ext}")))
        .collect();
    names.sort();
    names
}

//! The 61-byte magic-v2 batch header: its layout, parsing, writing, in-place patches and the
//! CRC-32C (which covers `attributes` to the end of the batch). Works on raw bytes, never
//! panics on short or hostile input.

/// Size of a v2 batch header, up to and including `recordCount`.
pub const HEADER_SIZE: usize = 61;
/// `baseOffset` + `batchLength`: the bytes not counted by `batchLength`.
pub const LOG_OVERHEAD: usize = 12;
/// Bytes needed to read the magic byte.
pub const HEADER_SIZE_UP_TO_MAGIC: usize = 17;

const BASE_OFFSET_AT: usize = 0;
const LENGTH_AT: usize = 8;
const LEADER_EPOCH_AT: usize = 12;
pub const MAGIC_AT: usize = 16;
const CRC_AT: usize = 17;
const ATTRIBUTES_AT: usize = 21;
const LAST_OFFSET_DELTA_AT: usize = 23;
const BASE_TIMESTAMP_AT: usize = 27;
const MAX_TIMESTAMP_AT: usize = 35;
const PRODUCER_ID_AT: usize = 43;
const PRODUCER_EPOCH_AT: usize = 51;
const BASE_SEQUENCE_AT: usize = 53;
pub const RECORD_COUNT_AT: usize = 57;

const COMPRESSION_MASK: i16 = 0x07;
const TIMESTAMP_TYPE_MASK: i16 = 0x08;
const TRANSACTIONAL_MASK: i16 = 0x10;
const CONTROL_MASK: i16 = 0x20;

/// The fixed fields of a v2 record batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchHeader {
    pub base_offset: i64,
    pub batch_length: i32,
    pub partition_leader_epoch: i32,
    pub magic: i8,
    pub crc: u32,
    pub attributes: i16,
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub record_count: i32,
}

fn be<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    buf.get(at..at.checked_add(N)?)?.try_into().ok()
}

pub fn read_i64(buf: &[u8], at: usize) -> Option<i64> {
    be::<8>(buf, at).map(i64::from_be_bytes)
}

pub fn read_i32(buf: &[u8], at: usize) -> Option<i32> {
    be::<4>(buf, at).map(i32::from_be_bytes)
}

impl BatchHeader {
    /// Parses the 61-byte header at the start of `buf`; `None` if `buf` is shorter.
    pub fn parse(buf: &[u8]) -> Option<BatchHeader> {
        Some(BatchHeader {
            base_offset: read_i64(buf, BASE_OFFSET_AT)?,
            batch_length: read_i32(buf, LENGTH_AT)?,
            partition_leader_epoch: read_i32(buf, LEADER_EPOCH_AT)?,
            magic: i8::from_be_bytes(be::<1>(buf, MAGIC_AT)?),
            crc: u32::from_be_bytes(be::<4>(buf, CRC_AT)?),
            attributes: i16::from_be_bytes(be::<2>(buf, ATTRIBUTES_AT)?),
            last_offset_delta: read_i32(buf, LAST_OFFSET_DELTA_AT)?,
            base_timestamp: read_i64(buf, BASE_TIMESTAMP_AT)?,
            max_timestamp: read_i64(buf, MAX_TIMESTAMP_AT)?,
            producer_id: read_i64(buf, PRODUCER_ID_AT)?,
            producer_epoch: i16::from_be_bytes(be::<2>(buf, PRODUCER_EPOCH_AT)?),
            base_sequence: read_i32(buf, BASE_SEQUENCE_AT)?,
            record_count: read_i32(buf, RECORD_COUNT_AT)?,
        })
    }

    /// Whole size of the batch on disk / on the wire (0 for a negative length).
    pub fn total_size(&self) -> usize {
        usize::try_from(self.batch_length)
            .map(|l| l + LOG_OVERHEAD)
            .unwrap_or(0)
    }

    /// Offset of the last record.
    pub fn last_offset(&self) -> i64 {
        self.base_offset
            .saturating_add(i64::from(self.last_offset_delta))
    }

    /// Codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
    pub fn compression(&self) -> u8 {
        (self.attributes & COMPRESSION_MASK) as u8
    }

    /// Whether the batch's timestamp type is LogAppendTime.
    pub fn is_log_append_time(&self) -> bool {
        self.attributes & TIMESTAMP_TYPE_MASK != 0
    }

    /// Whether the batch belongs to a transaction.
    pub fn is_transactional(&self) -> bool {
        self.attributes & TRANSACTIONAL_MASK != 0
    }

    /// Whether the batch is a control batch (transaction marker).
    pub fn is_control(&self) -> bool {
        self.attributes & CONTROL_MASK != 0
    }

    /// Whether an idempotent producer wrote the batch.
    pub fn has_producer_id(&self) -> bool {
        self.producer_id >= 0
    }

    /// Sequence of the last record, wrapping past `i32::MAX` to 0 like Kafka.
    pub fn last_sequence(&self) -> i32 {
        increment_sequence(self.base_sequence, self.last_offset_delta)
    }
}

/// `seq + delta`, wrapping past `i32::MAX` to 0.
pub fn increment_sequence(seq: i32, delta: i32) -> i32 {
    if seq > i32::MAX - delta {
        delta - (i32::MAX - seq) - 1
    } else {
        seq + delta
    }
}

/// CRC-32C of a whole batch as stored in its header (covers `attributes` to the end).
pub fn compute_crc(batch: &[u8]) -> u32 {
    batch.get(ATTRIBUTES_AT..).map(crc32c::crc32c).unwrap_or(0)
}

/// Overwrites every header field of `batch` with `self`'s (the CRC too: call [`seal_crc`]
/// after changing anything it covers). Does nothing if `batch` is shorter than a header.
impl BatchHeader {
    pub fn write_into(&self, batch: &mut [u8]) {
        let Some(h) = batch.get_mut(..HEADER_SIZE) else {
            return;
        };
        h[BASE_OFFSET_AT..BASE_OFFSET_AT + 8].copy_from_slice(&self.base_offset.to_be_bytes());
        h[LENGTH_AT..LENGTH_AT + 4].copy_from_slice(&self.batch_length.to_be_bytes());
        h[LEADER_EPOCH_AT..LEADER_EPOCH_AT + 4]
            .copy_from_slice(&self.partition_leader_epoch.to_be_bytes());
        h[MAGIC_AT] = self.magic as u8;
        h[CRC_AT..CRC_AT + 4].copy_from_slice(&self.crc.to_be_bytes());
        h[ATTRIBUTES_AT..ATTRIBUTES_AT + 2].copy_from_slice(&self.attributes.to_be_bytes());
        h[LAST_OFFSET_DELTA_AT..LAST_OFFSET_DELTA_AT + 4]
            .copy_from_slice(&self.last_offset_delta.to_be_bytes());
        h[BASE_TIMESTAMP_AT..BASE_TIMESTAMP_AT + 8]
            .copy_from_slice(&self.base_timestamp.to_be_bytes());
        h[MAX_TIMESTAMP_AT..MAX_TIMESTAMP_AT + 8]
            .copy_from_slice(&self.max_timestamp.to_be_bytes());
        h[PRODUCER_ID_AT..PRODUCER_ID_AT + 8].copy_from_slice(&self.producer_id.to_be_bytes());
        h[PRODUCER_EPOCH_AT..PRODUCER_EPOCH_AT + 2]
            .copy_from_slice(&self.producer_epoch.to_be_bytes());
        h[BASE_SEQUENCE_AT..BASE_SEQUENCE_AT + 4]
            .copy_from_slice(&self.base_sequence.to_be_bytes());
        h[RECORD_COUNT_AT..RECORD_COUNT_AT + 4].copy_from_slice(&self.record_count.to_be_bytes());
    }
}

/// Recomputes the CRC of a whole batch and stores it in the header.
pub fn seal_crc(batch: &mut [u8]) {
    let crc = compute_crc(batch);
    if let Some(dst) = batch.get_mut(CRC_AT..CRC_AT + 4) {
        dst.copy_from_slice(&crc.to_be_bytes());
    }
}

/// Rewrites producer id, epoch and base sequence of a whole batch and re-seals its CRC.
pub fn patch_producer(batch: &mut [u8], producer_id: i64, producer_epoch: i16, base_sequence: i32) {
    if batch.len() < HEADER_SIZE {
        return;
    }
    batch[PRODUCER_ID_AT..PRODUCER_ID_AT + 8].copy_from_slice(&producer_id.to_be_bytes());
    batch[PRODUCER_EPOCH_AT..PRODUCER_EPOCH_AT + 2].copy_from_slice(&producer_epoch.to_be_bytes());
    batch[BASE_SEQUENCE_AT..BASE_SEQUENCE_AT + 4].copy_from_slice(&base_sequence.to_be_bytes());
    seal_crc(batch);
}

/// Writes `base_offset` and `leader_epoch` into a stored batch (neither is covered by the CRC).
pub fn patch_offset_and_epoch(batch: &mut [u8], base_offset: i64, leader_epoch: i32) {
    if let Some(dst) = batch.get_mut(BASE_OFFSET_AT..BASE_OFFSET_AT + 8) {
        dst.copy_from_slice(&base_offset.to_be_bytes());
    }
    if let Some(dst) = batch.get_mut(LEADER_EPOCH_AT..LEADER_EPOCH_AT + 4) {
        dst.copy_from_slice(&leader_epoch.to_be_bytes());
    }
}

/// Sets the timestamp type and max timestamp, recomputing the CRC only if anything changed
/// (Kafka's `setMaxTimestamp`).
pub fn patch_max_timestamp(batch: &mut [u8], header: &BatchHeader, log_append_time: bool, ts: i64) {
    let attributes = if log_append_time {
        header.attributes | TIMESTAMP_TYPE_MASK
    } else {
        header.attributes & !TIMESTAMP_TYPE_MASK
    };
    if attributes == header.attributes && ts == header.max_timestamp {
        return;
    }
    if let Some(dst) = batch.get_mut(ATTRIBUTES_AT..ATTRIBUTES_AT + 2) {
        dst.copy_from_slice(&attributes.to_be_bytes());
    }
    if let Some(dst) = batch.get_mut(MAX_TIMESTAMP_AT..MAX_TIMESTAMP_AT + 8) {
        dst.copy_from_slice(&ts.to_be_bytes());
    }
    seal_crc(batch);
}

/// Checks that a stored batch is intact: sane length, magic 2 and a matching CRC.
/// `batch` must hold exactly the batch's bytes.
pub fn stored_batch_is_valid(header: &BatchHeader, batch: &[u8]) -> bool {
    header.magic == 2
        && header.batch_length >= (HEADER_SIZE - LOG_OVERHEAD) as i32
        && batch.len() == header.total_size()
        && header.last_offset_delta >= 0
        && compute_crc(batch) == header.crc
}

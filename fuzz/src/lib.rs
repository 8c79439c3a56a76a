//! Helpers shared by the fuzz targets and the seed-corpus generator.
//!
//! Owns: turning arbitrary fuzzer bytes into record batches that get past the cheap structural
//! checks (magic, lengths, record count, CRC) so the fuzzer spends its time in the record walk and
//! the decompressors, and the fixed clock the targets use. Must not: contain assertions about the
//! broker (those live in the targets).

/// The broker clock the targets pass in: fixed, so every input replays the same way.
pub const NOW_MS: i64 = 1_700_000_000_000;

/// v2 record batch header size (up to and including `recordCount`).
pub const HEADER_SIZE: usize = 61;
/// `baseOffset` + `batchLength`.
pub const LOG_OVERHEAD: usize = 12;

const LENGTH_AT: usize = 8;
const MAGIC_AT: usize = 16;
const CRC_AT: usize = 17;
const ATTRIBUTES_AT: usize = 21;
const LAST_OFFSET_DELTA_AT: usize = 23;
const BASE_TIMESTAMP_AT: usize = 27;
const MAX_TIMESTAMP_AT: usize = 35;
const RECORD_COUNT_AT: usize = 57;

/// How a `record_batch_validate` input is turned into the `records` of a produce request.
///
/// The first byte selects the mode: bit 0 clear = the rest is passed through untouched (finds
/// bugs in the framing checks); bit 0 set = every batch is repaired (magic 2, batch length
/// clamped to what is there, transactional/control bits cleared, record count derived from
/// `lastOffsetDelta`, CRC recomputed) so validation reaches the record walk; bit 1 additionally
/// sets the base/max timestamps to [`NOW_MS`] so the timestamp checks pass too.
pub fn records_from_input(data: &[u8]) -> Vec<u8> {
    let Some((&mode, rest)) = data.split_first() else {
        return Vec::new();
    };
    let mut out = rest.to_vec();
    if mode & 1 == 0 {
        return out;
    }
    let mut pos = 0usize;
    while out.len().saturating_sub(pos) >= HEADER_SIZE {
        let remaining = out.len() - pos;
        let declared = read_i32(&out, pos + LENGTH_AT);
        let min_len = (HEADER_SIZE - LOG_OVERHEAD) as i64;
        let max_len = (remaining - LOG_OVERHEAD) as i64;
        let batch_length = i64::from(declared).clamp(min_len, max_len);
        let size = batch_length as usize + LOG_OVERHEAD;
        let batch = &mut out[pos..pos + size];
        repair(batch, batch_length as i32, mode & 2 != 0);
        pos += size;
    }
    out
}

fn repair(batch: &mut [u8], batch_length: i32, fix_timestamps: bool) {
    batch[LENGTH_AT..LENGTH_AT + 4].copy_from_slice(&batch_length.to_be_bytes());
    batch[MAGIC_AT] = 2;
    let attributes = i16::from_be_bytes([batch[ATTRIBUTES_AT], batch[ATTRIBUTES_AT + 1]]);
    // Keep the codec (0..=4) and the timestamp type; drop transactional (0x10) and control (0x20).
    let codec = (attributes & 0x07) % 5;
    let attributes = codec | (attributes & 0x08);
    batch[ATTRIBUTES_AT..ATTRIBUTES_AT + 2].copy_from_slice(&attributes.to_be_bytes());
    // Small record counts: the fuzzer mostly produces a handful of records.
    let delta = read_i32(batch, LAST_OFFSET_DELTA_AT).rem_euclid(64);
    batch[LAST_OFFSET_DELTA_AT..LAST_OFFSET_DELTA_AT + 4].copy_from_slice(&delta.to_be_bytes());
    batch[RECORD_COUNT_AT..RECORD_COUNT_AT + 4].copy_from_slice(&(delta + 1).to_be_bytes());
    if fix_timestamps {
        batch[BASE_TIMESTAMP_AT..BASE_TIMESTAMP_AT + 8].copy_from_slice(&NOW_MS.to_be_bytes());
        batch[MAX_TIMESTAMP_AT..MAX_TIMESTAMP_AT + 8].copy_from_slice(&NOW_MS.to_be_bytes());
    }
    let crc = crc32c::crc32c(&batch[ATTRIBUTES_AT..]);
    batch[CRC_AT..CRC_AT + 4].copy_from_slice(&crc.to_be_bytes());
}

fn read_i32(buf: &[u8], at: usize) -> i32 {
    buf.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map(i32::from_be_bytes)
        .unwrap_or(0)
}

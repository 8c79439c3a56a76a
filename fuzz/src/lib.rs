//! Helpers shared by the fuzz targets and the seed-corpus generator.
//!
//! Owns: turning arbitrary fuzzer bytes into record batches that get past the cheap structural
//! checks (magic, lengths, record count, CRC) so the fuzzer spends its time in the record walk and
//! the decompressors, and the fixed clock the targets use. Must not: contain assertions about the
//! broker (those live in the targets).

/// The broker clock the targets pass in: fixed, so every input replays the same way.
pub const NOW_MS: i64 = 1_700_000_000_000;

use ferrokafka_protocol::batch::{read_i32, seal_crc, BatchHeader, HEADER_SIZE, LOG_OVERHEAD};

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
        let declared = read_i32(&out[pos..], 8).unwrap_or(0);
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
    let Some(mut h) = BatchHeader::parse(batch) else {
        return;
    };
    h.batch_length = batch_length;
    h.magic = 2;
    // Keep the codec (0..=4) and the timestamp type; drop transactional (0x10) and control (0x20).
    h.attributes = (h.attributes & 0x07) % 5 | (h.attributes & 0x08);
    // Small record counts: the fuzzer mostly produces a handful of records.
    h.last_offset_delta = h.last_offset_delta.rem_euclid(64);
    h.record_count = h.last_offset_delta + 1;
    if fix_timestamps {
        h.base_timestamp = NOW_MS;
        h.max_timestamp = NOW_MS;
    }
    h.write_into(batch);
    seal_crc(batch);
}

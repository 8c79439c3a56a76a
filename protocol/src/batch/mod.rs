//! Magic-v2 record batches, the one place their layout is written down.
//!
//! - `header`: the 61-byte header's layout, parsing, in-place patches and the CRC-32C;
//! - `builder`: writing records into a batch incrementally (producers);
//! - `decode`: decoding a whole batch record by record (consumers);
//! - `walk`: streaming over a batch's records to validate them without keeping them (broker).

mod builder;
mod decode;
mod header;
mod walk;

pub use builder::{estimate_record_size, BatchBuilder, FinishedBatch, RecordHeader};
pub use decode::{decode_each_record, DecodedRecord};
pub use header::{
    compute_crc, increment_sequence, patch_max_timestamp, patch_offset_and_epoch, patch_producer,
    read_i32, read_i64, seal_crc, stored_batch_is_valid, BatchHeader, HEADER_SIZE,
    HEADER_SIZE_UP_TO_MAGIC, LOG_OVERHEAD, MAGIC_AT, RECORD_COUNT_AT,
};
pub use walk::{for_each_record, walk_records, RecordMeta, RecordSummary, WalkError};

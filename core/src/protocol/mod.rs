//! Kafka wire format, with no sockets: frames, request/response codecs, record batches.
//!
//! Owns the 4-byte length-prefixed framing (with a size guard), encoding request headers and
//! bodies through `kafka-protocol`, decoding responses while checking the whole frame was
//! consumed, and writing magic-v2 record batches incrementally. It must not do I/O.

pub mod batch;
pub mod codec;
pub mod compression;
pub mod frame;
pub mod records;
pub mod versions;

pub use batch::{BatchBuilder, FinishedBatch, RecordHeader};
pub use codec::{decode_response, encode_request, response_correlation_id};
pub use compression::Compression;
pub use frame::{read_frame, DEFAULT_MAX_FRAME_SIZE};

//! The client's side of the wire format, with no sockets: request/response codecs and version
//! negotiation. The layers below every message (framing, record batches, codecs, varints)
//! are `ferrokafka_protocol`'s, shared with the broker; this module re-exports what the client
//! uses of them. It must not do I/O.

pub mod codec;
pub mod versions;

pub use codec::{decode_response, encode_request, response_correlation_id};
pub use ferrokafka_protocol::batch::{
    decode_each_record, estimate_record_size, BatchBuilder, BatchHeader, FinishedBatch,
    RecordHeader,
};
pub use ferrokafka_protocol::Compression;

/// Largest response frame accepted by default (fetch responses can reach `fetch.max.bytes`).
pub const DEFAULT_MAX_FRAME_SIZE: usize = 256 * 1024 * 1024;

/// Reads one response frame into a recycled buffer of `pool` when it is large (see
/// `ferrokafka_protocol::frame_pool`), with the core's errors.
pub async fn read_pooled_frame<R: tokio::io::AsyncRead + Unpin>(
    r: &mut R,
    max: usize,
    pool: &ferrokafka_protocol::FramePool,
) -> crate::Result<Option<bytes::Bytes>> {
    ferrokafka_protocol::read_pooled_frame(r, max, pool)
        .await
        .map_err(|e| crate::Error::frame("reading a response frame", e))
}

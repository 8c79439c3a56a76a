//! The one error type of this crate: bytes that are not a valid batch, a field too large for
//! the format, or a codec that failed. Callers map it onto their own kinds (the client core to
//! `ErrorKind`, the broker to a Kafka error code).

/// Why bytes could not be read or written as Kafka's record format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Malformed, truncated or CRC-failing record data.
    #[error("corrupt record batch: {0}")]
    CorruptBatch(String),
    /// A key, value, header or batch larger than the format's 2 GiB fields.
    #[error("{0}")]
    TooLarge(String),
    /// The compressor failed (out of memory, a codec bug).
    #[error("compressing a batch with {codec}: {message}")]
    Compress {
        codec: &'static str,
        message: String,
    },
}

//! ferrokafka-protocol: the floor the client core, the broker and the fuzz targets stand on.
//!
//! Owns the Kafka wire format below the request/response messages (those come from the
//! `kafka-protocol` crate): length-prefixed [`frame`]s with a size guard, the magic-v2
//! [`batch`] layout (parse, validate, patch, build, decode, walk), [`varint`]s, the record
//! [`compression`] codecs, the topics of an embedded [`consumer_protocol`] subscription, Kafka
//! [`ErrorCode`]s as one named type, Kafka's [`acl`] enums, the [`scram`] mechanisms and
//! SaltedPassword derivation, the wall clock in milliseconds, and the [`tls_reader`] that sizes
//! the reads rustls makes of a socket. It holds no sockets, tasks or state; its only I/O is on
//! streams the caller owns (reading one frame; buffering reads under rustls). Untrusted bytes never
//! make it panic or allocate from a claimed size.
#![forbid(unsafe_code)]

pub mod acl;
pub mod batch;
pub mod compression;
pub mod consumer_protocol;
mod error;
pub mod frame;
pub mod frame_pool;
pub mod jaas;
pub mod java_order;
pub mod scram;
pub mod tls_policy;
pub mod tls_reader;
pub mod varint;

pub use compression::{Compression, CompressionLevels, CompressionType};
pub use error::ProtocolError;
pub use frame::{read_frame, FrameError};
pub use frame_pool::{read_pooled_frame, FramePool};

/// Kafka's error codes as one named type: `kafka-protocol`'s `ResponseError`, whose variants
/// are the protocol's names (`ErrorCode::MessageTooLarge.code() == 10`). `0` (no error) is not
/// a variant: use [`NONE`].
pub use kafka_protocol::ResponseError as ErrorCode;

/// The "no error" code.
pub const NONE: i16 = 0;

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

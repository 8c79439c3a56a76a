//! Request helpers shared by the consumer and admin, below both: group-coordinator requests
//! (FindCoordinator, OffsetCommit, OffsetFetch), ListOffsets, the embedded consumer protocol
//! (subscription and assignment bytes) and reading Metadata into value types. With these here,
//! `admin` and `consumer` never import each other. Nothing here keeps client state.

pub(crate) mod consumer_protocol;
pub(crate) mod coordinator;
pub(crate) mod metadata;
pub(crate) mod offsets;

use kafka_protocol::protocol::{Request, StrBytes};

use crate::connection::Connection;
use crate::error::Result;

/// The version of `R` to use on `conn`, capped at `cap` (versions above need topic ids or
/// the multi-group format, which this client does not use).
pub(crate) fn capped<R: Request>(conn: &Connection, cap: i16) -> Result<i16> {
    Ok(conn.version::<R>()?.min(cap))
}

/// A protocol string from text.
pub(crate) fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

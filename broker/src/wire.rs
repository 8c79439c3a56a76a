//! Kafka framing and request/response (de)serialisation for the server side.
//!
//! Owns: reading one length-prefixed frame without ever allocating for an oversize or negative
//! length prefix, decoding the request header and body with `kafka-protocol`, the ApiVersions
//! fallback for versions we do not know (a v0 response with UNSUPPORTED_VERSION, as Kafka
//! answers), and encoding responses with the right header version. No request is *acted on* here.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use ferrokafka_protocol::{ErrorCode, FrameError};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsResponse, RequestHeader, RequestKind, ResponseHeader, ResponseKind,
};
use kafka_protocol::protocol::{Decodable, Encodable};
use tokio::io::AsyncRead;

/// Why a connection is closed instead of answered.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("connection closed by peer")]
    Eof,
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid frame size {size} (socket.request.max.bytes is {max})")]
    FrameSize { size: i64, max: u32 },
    #[error("unknown API key {0}")]
    UnknownApi(i16),
    #[error("unsupported version {version} of {api:?}")]
    UnsupportedVersion { api: ApiKey, version: i16 },
    #[error("malformed {api:?} v{version} request: {message}")]
    Malformed {
        api: ApiKey,
        version: i16,
        message: String,
    },
    #[error("frame too short for a request header ({0} bytes)")]
    Truncated(usize),
}

/// Request frames seen with bytes after their body (see [`frames_with_trailing_bytes`]).
static TRAILING_BYTES_FRAMES: AtomicU64 = AtomicU64::new(0);

/// How many request frames had bytes after their body since the process started.
pub fn frames_with_trailing_bytes() -> u64 {
    TRAILING_BYTES_FRAMES.load(Ordering::Relaxed)
}

/// Smallest request frame: api key, api version, correlation id, client id length.
const MIN_REQUEST_BYTES: usize = 10;

/// Reads one request frame (`ferrokafka_protocol::read_frame`: an oversize or negative length
/// prefix is refused before any allocation). A clean close between frames is [`WireError::Eof`].
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R, max: u32) -> Result<Bytes, WireError> {
    match ferrokafka_protocol::read_frame(r, max as usize).await {
        Ok(Some(frame)) => Ok(frame.freeze()),
        Ok(None) => Err(WireError::Eof),
        Err(FrameError::Size { size, .. }) => Err(WireError::FrameSize { size, max }),
        Err(FrameError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(WireError::Eof)
        }
        Err(FrameError::Io(e)) => Err(WireError::Io(e)),
    }
}

/// A decoded request, or the answer to give without dispatching.
pub enum Decoded {
    Request {
        header: RequestHeader,
        api: ApiKey,
        /// Boxed: request bodies vary a lot in size.
        body: Box<RequestKind>,
    },
    /// ApiVersions at a version we do not know: answer v0 with UNSUPPORTED_VERSION.
    ApiVersionsFallback { correlation_id: i32 },
}

/// Decodes a request frame. Errors mean "close this connection", as Kafka does.
pub fn decode_request(mut frame: Bytes) -> Result<Decoded, WireError> {
    if frame.len() < MIN_REQUEST_BYTES {
        return Err(WireError::Truncated(frame.len()));
    }
    let api_key = i16::from_be_bytes([frame[0], frame[1]]);
    let version = i16::from_be_bytes([frame[2], frame[3]]);
    let api = ApiKey::try_from(api_key).map_err(|_| WireError::UnknownApi(api_key))?;
    if !crate::handler::supported(api) {
        return Err(WireError::UnknownApi(api_key));
    }
    let range = api.valid_versions();
    if version < range.min || version > range.max {
        if api == ApiKey::ApiVersions && version > range.max {
            let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
            return Ok(Decoded::ApiVersionsFallback { correlation_id });
        }
        return Err(WireError::UnsupportedVersion { api, version });
    }
    let malformed = |e: anyhow::Error| WireError::Malformed {
        api,
        version,
        message: e.to_string(),
    };
    let header = RequestHeader::decode(&mut frame, api.request_header_version(version))
        .map_err(malformed)?;
    let body = RequestKind::decode(api, &mut frame, version).map_err(malformed)?;
    if frame.has_remaining() {
        // Apache Kafka answers such a request too (it reads the body and ignores the rest);
        // count them so a client that pads frames shows up in a debug log.
        let seen = TRAILING_BYTES_FRAMES.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(
            ?api,
            version,
            trailing = frame.remaining(),
            frames_with_trailing_bytes = seen,
            "request frame has bytes after its body; answered anyway, as Kafka does"
        );
    }
    Ok(Decoded::Request {
        header,
        api,
        body: Box::new(body),
    })
}

/// Appends one length-prefixed response frame to `out`.
pub fn encode_response(
    out: &mut BytesMut,
    api: ApiKey,
    version: i16,
    correlation_id: i32,
    body: &ResponseKind,
) -> anyhow::Result<()> {
    let start = out.len();
    out.put_i32(0);
    let header = ResponseHeader::default().with_correlation_id(correlation_id);
    header.encode(out, api.response_header_version(version))?;
    body.encode(out, version)?;
    let len = (out.len() - start - 4) as i32;
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// The v0 ApiVersions answer to a version we do not know, as Kafka gives it: the error plus
/// our ApiVersions range so the client retries with a version we speak.
pub fn encode_api_versions_fallback(out: &mut BytesMut, correlation_id: i32) {
    let range = ApiKey::ApiVersions.valid_versions();
    let body = ApiVersionsResponse::default()
        .with_error_code(ErrorCode::UnsupportedVersion.code())
        .with_api_keys(vec![
            kafka_protocol::messages::api_versions_response::ApiVersion::default()
                .with_api_key(ApiKey::ApiVersions as i16)
                .with_min_version(range.min)
                .with_max_version(range.max),
        ]);
    // Encoding a v0 ApiVersionsResponse of fixed shape cannot fail.
    let _ = encode_response(
        out,
        ApiKey::ApiVersions,
        0,
        correlation_id,
        &ResponseKind::ApiVersions(body),
    );
}

/// Reads the correlation id and length of a response frame (used by tests and tools).
pub fn peek_correlation_id(frame: &[u8]) -> Option<i32> {
    let mut b = frame;
    (b.remaining() >= 4).then(|| b.get_i32())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn oversize_and_negative_prefixes_are_refused_without_allocating() {
        let mut r: &[u8] = &[0x7f, 0xff, 0xff, 0xff];
        assert!(matches!(
            read_frame(&mut r, 1024).await,
            Err(WireError::FrameSize { .. })
        ));
        let mut r: &[u8] = &[0xff, 0xff, 0xff, 0xfe];
        assert!(matches!(
            read_frame(&mut r, 1024).await,
            Err(WireError::FrameSize { .. })
        ));
        let mut r: &[u8] = &[0, 0, 0, 8, 1, 2];
        assert!(matches!(
            read_frame(&mut r, 1024).await,
            Err(WireError::Eof)
        ));
    }

    #[test]
    fn trailing_bytes_after_the_body_are_answered_and_counted() {
        let mut frame = BytesMut::new();
        RequestHeader::default()
            .with_request_api_key(ApiKey::ApiVersions as i16)
            .with_request_api_version(0)
            .with_correlation_id(7)
            .encode(&mut frame, ApiKey::ApiVersions.request_header_version(0))
            .unwrap();
        frame.put_slice(b"junk");
        let before = frames_with_trailing_bytes();
        match decode_request(frame.freeze()) {
            Ok(Decoded::Request { header, .. }) => assert_eq!(header.correlation_id, 7),
            _ => panic!("a frame with trailing bytes is still a request"),
        }
        assert!(frames_with_trailing_bytes() > before);
    }

    #[test]
    fn unknown_api_and_short_frames_are_errors() {
        let f = Bytes::from_static(&[0x7f, 0x00, 0, 0, 0, 0, 0, 1, 0, 0]);
        assert!(matches!(decode_request(f), Err(WireError::UnknownApi(_))));
        let f = Bytes::from_static(&[0, 18, 0]);
        assert!(matches!(decode_request(f), Err(WireError::Truncated(3))));
    }

    #[test]
    fn api_versions_from_the_future_gets_the_fallback() {
        let f = Bytes::from_static(&[0, 18, 0x7f, 0, 0, 0, 0, 42, 0, 0]);
        match decode_request(f) {
            Ok(Decoded::ApiVersionsFallback { correlation_id }) => assert_eq!(correlation_id, 42),
            _ => panic!("expected the ApiVersions fallback"),
        }
        let mut out = BytesMut::new();
        encode_api_versions_fallback(&mut out, 42);
        // length, correlation id, error code 35
        assert_eq!(&out[4..8], &42i32.to_be_bytes());
        assert_eq!(&out[8..10], &35i16.to_be_bytes());
    }
}

//! Request encoding and response decoding through `kafka-protocol`.
//!
//! Owns turning a typed request into one length-prefixed frame (header version chosen from the
//! API key and version) and a response frame back into a typed response, failing if any byte of
//! the frame is left over. It must not pick versions (see `versions`) or touch sockets.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, Request, StrBytes};

use crate::error::{Error, Result};

/// Encodes `req` at `version` with its header into a frame, length prefix included.
pub fn encode_request<R: Request>(
    req: &R,
    version: i16,
    correlation_id: i32,
    client_id: &str,
) -> Result<Bytes> {
    let api_key = ApiKey::try_from(R::KEY)
        .map_err(|_| Error::internal(format!("unknown API key {}", R::KEY)))?;
    let header = RequestHeader::default()
        .with_request_api_key(R::KEY)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_string(client_id.to_string())));
    let header_version = api_key.request_header_version(version);
    // Sized up front: a produce request grown from a small buffer is copied again at every
    // doubling (its record batches are most of it).
    let size = header
        .compute_size(header_version)
        .and_then(|h| Ok(h + req.compute_size(version)?))
        .map_err(|e| Error::internal(format!("sizing {api_key:?} v{version}: {e}")))?;
    let mut buf = BytesMut::with_capacity(4 + size);
    buf.put_i32(0);
    header
        .encode(&mut buf, header_version)
        .map_err(|e| Error::internal(format!("encoding {api_key:?} v{version} header: {e}")))?;
    req.encode(&mut buf, version)
        .map_err(|e| Error::internal(format!("encoding {api_key:?} v{version}: {e}")))?;
    let len =
        i32::try_from(buf.len() - 4).map_err(|_| Error::internal("request larger than 2 GiB"))?;
    buf[..4].copy_from_slice(&len.to_be_bytes());
    Ok(buf.freeze())
}

/// The correlation id at the start of a response frame (every header version begins with it).
pub fn response_correlation_id(frame: &[u8]) -> Result<i32> {
    let b: [u8; 4] = frame
        .get(..4)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| Error::protocol("response frame shorter than a correlation id"))?;
    Ok(i32::from_be_bytes(b))
}

/// Decodes a response frame (without length prefix) for request type `R` at `version`.
/// Fails if bytes remain after the response body.
pub fn decode_response<R: Request>(
    frame: Bytes,
    version: i16,
) -> Result<(ResponseHeader, R::Response)> {
    let api_key = ApiKey::try_from(R::KEY)
        .map_err(|_| Error::internal(format!("unknown API key {}", R::KEY)))?;
    let mut buf = frame;
    let header_version = api_key.response_header_version(version);
    let header = ResponseHeader::decode(&mut buf, header_version).map_err(|e| {
        Error::protocol(format!(
            "decoding {api_key:?} v{version} response header: {e}"
        ))
    })?;
    let body = R::Response::decode(&mut buf, version)
        .map_err(|e| Error::protocol(format!("decoding {api_key:?} v{version} response: {e}")))?;
    if buf.has_remaining() {
        return Err(Error::protocol(format!(
            "{api_key:?} v{version} response left {} undecoded bytes; the broker and client disagree \
             on the message layout",
            buf.remaining()
        )));
    }
    Ok((header, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::{ApiVersionsRequest, ApiVersionsResponse, MetadataRequest};

    #[test]
    fn request_frame_has_length_prefix_and_header() {
        let req = MetadataRequest::default();
        let frame = encode_request(&req, 12, 7, "me").unwrap();
        let len = i32::from_be_bytes(frame[..4].try_into().unwrap()) as usize;
        assert_eq!(len, frame.len() - 4);
        assert_eq!(i16::from_be_bytes([frame[4], frame[5]]), 3); // Metadata
        assert_eq!(i16::from_be_bytes([frame[6], frame[7]]), 12);
        assert_eq!(i32::from_be_bytes(frame[8..12].try_into().unwrap()), 7);
    }

    fn response_frame(resp: &ApiVersionsResponse, version: i16, corr: i32, extra: &[u8]) -> Bytes {
        let mut buf = BytesMut::new();
        ResponseHeader::default()
            .with_correlation_id(corr)
            .encode(&mut buf, 0)
            .unwrap();
        resp.encode(&mut buf, version).unwrap();
        buf.put_slice(extra);
        buf.freeze()
    }

    #[test]
    fn decodes_whole_frame_and_rejects_leftovers() {
        let resp = ApiVersionsResponse::default().with_throttle_time_ms(5);
        let frame = response_frame(&resp, 3, 42, &[]);
        assert_eq!(response_correlation_id(&frame).unwrap(), 42);
        let (h, r) = decode_response::<ApiVersionsRequest>(frame, 3).unwrap();
        assert_eq!(h.correlation_id, 42);
        assert_eq!(r.throttle_time_ms, 5);
        let frame = response_frame(&resp, 3, 42, &[1, 2]);
        let e = decode_response::<ApiVersionsRequest>(frame, 3).unwrap_err();
        assert!(e.to_string().contains("2 undecoded bytes"), "{e}");
    }

    #[test]
    fn truncated_response_is_protocol_error() {
        let resp = ApiVersionsResponse::default();
        let frame = response_frame(&resp, 3, 1, &[]);
        let cut = frame.slice(..frame.len() - 2);
        let e = decode_response::<ApiVersionsRequest>(cut, 3).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Protocol);
        assert!(response_correlation_id(&[1, 2]).is_err());
    }
}

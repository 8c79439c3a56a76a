//! Fuzz target: one request frame (everything after the 4-byte length prefix) through the
//! broker's decode path, `ferrokafka_broker::wire::decode_request`: header and body parsed with
//! kafka-protocol. Any input must give `Ok` or `Err`, never a panic, abort or runaway allocation.
//! A frame that decodes is re-encoded and decoded again: the broker relies on the crate's codec
//! being self-consistent for the responses it builds from requests.
#![no_main]

use bytes::{Bytes, BytesMut};
use ferrokafka_broker::wire::{decode_request, Decoded};
use kafka_protocol::protocol::Encodable;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(Decoded::Request { header, api, body }) = decode_request(Bytes::copy_from_slice(data))
    else {
        return;
    };
    let version = header.request_api_version;
    let mut frame = BytesMut::new();
    // Encoding may legitimately refuse a value the decoder accepted (e.g. a field that only
    // exists in other versions); it must not panic.
    if header
        .encode(&mut frame, api.request_header_version(version))
        .is_err()
        || body.encode(&mut frame, version).is_err()
    {
        return;
    }
    let _ = decode_request(frame.freeze());
});

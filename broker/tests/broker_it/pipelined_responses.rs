//! Pipelined requests on one connection: a response that is ready is sent at once, even when the
//! request pipelined behind it parks (a JoinGroup waiting for the rest of its group, a long-poll
//! fetch). Kafka writes every response as soon as it is ready; found while chasing issue 13.

use crate::common;

use bytes::{Bytes, BytesMut};
use common::{start_broker, RawClient};
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::{
    ApiVersionsRequest, ApiVersionsResponse, GroupId, JoinGroupRequest, JoinGroupResponse,
    RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use tokio::io::AsyncWriteExt;

const JOIN_VERSION: i16 = 3; // before KIP-394: a new member joins without a member-id round trip

/// One length-prefixed request frame.
fn frame<R: Request>(req: &R, version: i16, correlation_id: i32) -> Vec<u8> {
    let header = RequestHeader::default()
        .with_request_api_key(R::KEY)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_static_str("pipelined-test")));
    let mut body = BytesMut::new();
    header
        .encode(&mut body, R::header_version(version))
        .expect("encode header");
    req.encode(&mut body, version).expect("encode body");
    let mut out = (body.len() as i32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

fn join(group: &str, member_id: &str) -> JoinGroupRequest {
    JoinGroupRequest::default()
        .with_group_id(GroupId(StrBytes::from_string(group.to_string())))
        .with_session_timeout_ms(30_000)
        .with_rebalance_timeout_ms(300_000)
        .with_member_id(StrBytes::from_string(member_id.to_string()))
        .with_protocol_type(StrBytes::from_static_str("consumer"))
        .with_protocols(vec![JoinGroupRequestProtocol::default()
            .with_name(StrBytes::from_static_str("range"))
            .with_metadata(Bytes::from_static(
                b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
            ))])
}

fn decode<R: Decodable + HeaderVersion>(mut frame: Bytes, version: i16) -> (i32, R) {
    let header = ResponseHeader::decode(&mut frame, R::header_version(version)).expect("header");
    (
        header.correlation_id,
        R::decode(&mut frame, version).expect("body"),
    )
}

#[tokio::test]
async fn a_ready_response_is_not_held_behind_a_parked_request_pipelined_after_it() {
    let b = start_broker().await;
    let addr = b.handle.local_addr();

    // Member A forms generation 1 of the group on its own.
    let mut a = RawClient::connect(addr).await;
    let first = a.call(&join("hol", ""), JOIN_VERSION).await;
    assert_eq!(first.error_code, 0);
    assert_eq!(first.generation_id, 1);
    let a_id = first.member_id.to_string();

    // B pipelines ApiVersions and then a JoinGroup, in one write. The JoinGroup parks until A
    // rejoins (up to the 300 s rebalance timeout); the ApiVersions answer must not wait for it.
    let mut b_conn = RawClient::connect(addr).await;
    let mut both = frame(&ApiVersionsRequest::default(), 0, 1);
    both.extend(frame(&join("hol", ""), JOIN_VERSION, 2));
    b_conn.stream.write_all(&both).await.expect("write");
    // read_frame fails the test after 10 s without an answer.
    let (id, versions) =
        decode::<ApiVersionsResponse>(b_conn.read_frame().await.expect("ApiVersions answer"), 0);
    assert_eq!((id, versions.error_code), (1, 0));

    // A rejoins: generation 2 forms and B's parked JoinGroup is answered, in order, after it.
    let second = a.call(&join("hol", &a_id), JOIN_VERSION).await;
    assert_eq!((second.error_code, second.generation_id), (0, 2));
    let (id, joined) = decode::<JoinGroupResponse>(
        b_conn.read_frame().await.expect("JoinGroup answer"),
        JOIN_VERSION,
    );
    assert_eq!((id, joined.error_code, joined.generation_id), (2, 0, 2));
}

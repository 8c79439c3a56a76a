//! Untrusted bytes never take the broker down: each bad frame is answered with the protocol's
//! error or closes only its own connection, and other clients keep being served.

use crate::common;

use common::{start_broker, RawClient};
use kafka_protocol::messages::{ApiVersionsRequest, MetadataRequest};
use tokio::io::AsyncWriteExt;

/// A healthy client still gets answers.
async fn assert_serving(addr: std::net::SocketAddr) {
    let mut c = RawClient::connect(addr).await;
    let r = c.call(&ApiVersionsRequest::default(), 3).await;
    assert_eq!(r.error_code, 0);
    assert!(!r.api_keys.is_empty());
}

#[tokio::test]
async fn garbage_bytes_close_only_that_connection() {
    let b = start_broker().await;
    let addr = b.handle.local_addr();
    let mut bad = RawClient::connect(addr).await;
    // A plausible length followed by bytes that are no request header.
    bad.send_frame(&[
        0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    ])
    .await;
    assert!(bad.closed_by_broker().await);
    assert_serving(addr).await;
}

#[tokio::test]
async fn huge_length_prefix_closes_without_allocating() {
    let b = start_broker().await;
    let addr = b.handle.local_addr();
    for prefix in [0x7fff_ffffu32, 0x8000_0000, 0xffff_ffff] {
        let mut bad = RawClient::connect(addr).await;
        bad.stream.write_all(&prefix.to_be_bytes()).await.unwrap();
        assert!(bad.closed_by_broker().await, "prefix {prefix:#x}");
    }
    assert_serving(addr).await;
}

#[tokio::test]
async fn truncated_frames_do_not_hang_the_broker() {
    let b = start_broker().await;
    let addr = b.handle.local_addr();
    let mut bad = RawClient::connect(addr).await;
    bad.stream.write_all(&100i32.to_be_bytes()).await.unwrap();
    bad.stream.write_all(&[0, 18, 0, 3]).await.unwrap();
    drop(bad); // hang up mid-frame
    let mut short = RawClient::connect(addr).await;
    short.send_frame(&[0, 18, 0]).await; // shorter than any request header
    assert!(short.closed_by_broker().await);
    assert_serving(addr).await;
}

#[tokio::test]
async fn unknown_api_key_closes_the_connection() {
    let b = start_broker().await;
    let addr = b.handle.local_addr();
    let mut bad = RawClient::connect(addr).await;
    bad.send_frame(&[0x27, 0x0f, 0, 0, 0, 0, 0, 1, 0xff, 0xff])
        .await; // api key 9999
    assert!(bad.closed_by_broker().await);
    assert_serving(addr).await;
}

#[tokio::test]
async fn unsupported_version_closes_and_api_versions_from_the_future_is_answered() {
    let b = start_broker().await;
    let addr = b.handle.local_addr();
    // Produce v1 was removed in Kafka 4: the connection is closed.
    let mut bad = RawClient::connect(addr).await;
    bad.send_frame(&[0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff]).await;
    assert!(bad.closed_by_broker().await);
    // ApiVersions v99: a v0 answer with UNSUPPORTED_VERSION and our ApiVersions range.
    let mut c = RawClient::connect(addr).await;
    c.send_frame(&[0, 18, 0, 99, 0, 0, 0, 7, 0xff, 0xff]).await;
    let frame = c.read_frame().await.expect("an answer");
    assert_eq!(&frame[0..4], &7i32.to_be_bytes(), "correlation id echoed");
    assert_eq!(&frame[4..6], &35i16.to_be_bytes(), "UNSUPPORTED_VERSION");
    assert_serving(addr).await;
}

#[tokio::test]
async fn huge_array_count_is_a_decode_error_not_an_abort() {
    let b = start_broker().await;
    let addr = b.handle.local_addr();
    // Metadata v4 whose topic array claims i32::MAX entries in an 18-byte body.
    let mut body = vec![0, 3, 0, 4, 0, 0, 0, 9, 0xff, 0xff];
    body.extend_from_slice(&i32::MAX.to_be_bytes());
    body.extend_from_slice(&[0, 1, 2, 3]);
    let mut bad = RawClient::connect(addr).await;
    bad.send_frame(&body).await;
    assert!(bad.closed_by_broker().await);
    assert_serving(addr).await;
    // And the ordinary form still works.
    let mut c = RawClient::connect(addr).await;
    let m = c.call(&MetadataRequest::default(), 4).await;
    assert_eq!(m.brokers.len(), 1);
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    // Twenty ApiVersions requests written back to back before reading anything.
    for correlation in 1..=20i32 {
        let mut frame = vec![0, 18, 0, (correlation % 4) as u8];
        frame.extend_from_slice(&correlation.to_be_bytes());
        frame.extend_from_slice(&[0xff, 0xff]); // null client id
        if correlation % 4 == 3 {
            // v3 is flexible: header tags, then empty compact strings (length + 1) and body tags.
            frame.extend_from_slice(&[0, 1, 1, 0]);
        }
        c.send_frame(&frame).await;
    }
    for correlation in 1..=20i32 {
        let frame = c.read_frame().await.expect("an answer");
        assert_eq!(&frame[0..4], &correlation.to_be_bytes());
    }
}

#[tokio::test]
async fn a_second_broker_on_the_same_data_dir_is_refused() {
    let b = start_broker().await;
    let err = ferrokafka_broker::Broker::builder()
        .data_dir(b.dir.path())
        .listen("127.0.0.1:0")
        .start()
        .await
        .err()
        .expect("the data directory is locked");
    assert!(
        err.to_string().contains("in use by another broker"),
        "{err}"
    );
    // The lock goes with the broker: after shutdown the directory can be reopened.
    let dir = b.dir;
    b.handle.shutdown().await;
    let again = ferrokafka_broker::Broker::builder()
        .data_dir(dir.path())
        .listen("127.0.0.1:0")
        .start()
        .await
        .expect("reopens after shutdown");
    again.shutdown().await;
}

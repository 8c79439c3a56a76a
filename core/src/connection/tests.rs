//! Connection tests against an in-memory fake broker (tokio duplex streams).

use super::*;
use bytes::{BufMut, BytesMut};
use ferrokafka_protocol::read_frame;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, MetadataRequest, MetadataResponse, ResponseHeader};
use kafka_protocol::protocol::{decode_request_header_from_buffer, Encodable, Message};
use tokio::io::{AsyncReadExt, DuplexStream};

async fn read_request(s: &mut DuplexStream) -> Option<(i16, i16, i32)> {
    let f = read_frame(s, 1 << 20).await.ok()??;
    let mut b = f.freeze();
    let h = decode_request_header_from_buffer(&mut b).ok()?;
    Some((h.request_api_key, h.request_api_version, h.correlation_id))
}

async fn respond<M: Encodable>(s: &mut DuplexStream, key: i16, version: i16, corr: i32, body: &M) {
    let mut buf = BytesMut::new();
    buf.put_i32(0);
    let hv = ApiKey::try_from(key)
        .unwrap()
        .response_header_version(version);
    ResponseHeader::default()
        .with_correlation_id(corr)
        .encode(&mut buf, hv)
        .unwrap();
    body.encode(&mut buf, version).unwrap();
    let len = (buf.len() - 4) as i32;
    buf[..4].copy_from_slice(&len.to_be_bytes());
    s.write_all(&buf).await.unwrap();
}

fn metadata_response(throttle: i32) -> MetadataResponse {
    MetadataResponse::default().with_throttle_time_ms(throttle)
}

fn versions() -> ApiVersionsResponse {
    ApiVersionsResponse::default().with_api_keys(vec![
        ApiVersion::default()
            .with_api_key(18)
            .with_min_version(0)
            .with_max_version(4),
        ApiVersion::default()
            .with_api_key(3)
            .with_min_version(0)
            .with_max_version(MetadataRequest::VERSIONS.max),
    ])
}

fn pair(timeout_ms: u64) -> (Connection, DuplexStream) {
    let (a, b) = tokio::io::duplex(1 << 16);
    let cfg = ConnectionConfig {
        request_timeout: Duration::from_millis(timeout_ms),
        ..ConnectionConfig::default()
    };
    let mut conn = Connection::start("fake:9092", Box::new(a), cfg);
    conn.versions = BrokerVersions::from_response(&versions());
    (conn, b)
}

#[tokio::test]
async fn pipelined_responses_reach_their_waiters_out_of_order() {
    let (conn, mut broker) = pair(30_000);
    let server = tokio::spawn(async move {
        let mut reqs = Vec::new();
        for _ in 0..3 {
            reqs.push(read_request(&mut broker).await.unwrap());
        }
        // Answer in reverse order; each throttle value tags the request it answers.
        for (key, v, corr) in reqs.into_iter().rev() {
            respond(&mut broker, key, v, corr, &metadata_response(corr)).await;
        }
        broker
    });
    let req = MetadataRequest::default();
    let (a, b, c) = tokio::join!(conn.request(&req), conn.request(&req), conn.request(&req));
    let tags = [
        a.unwrap().throttle_time_ms,
        b.unwrap().throttle_time_ms,
        c.unwrap().throttle_time_ms,
    ];
    let mut sorted = tags;
    sorted.sort();
    assert_eq!(tags, sorted, "each caller got its own response");
    assert_eq!(conn.in_flight(), 0);
    server.await.unwrap();
}

#[tokio::test]
async fn broker_disconnect_fails_every_waiter_at_once() {
    let (conn, mut broker) = pair(30_000);
    let server = tokio::spawn(async move {
        for _ in 0..2 {
            read_request(&mut broker).await.unwrap();
        }
        drop(broker);
    });
    let req = MetadataRequest::default();
    let (a, b) = tokio::join!(conn.request(&req), conn.request(&req));
    assert_eq!(a.unwrap_err().kind(), ErrorKind::Network);
    assert_eq!(b.unwrap_err().kind(), ErrorKind::Network);
    assert!(conn.is_poisoned());
    // Later requests fail fast with the poison.
    assert_eq!(
        conn.request(&req).await.unwrap_err().kind(),
        ErrorKind::Network
    );
    server.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn timeout_poisons_the_connection() {
    let (conn, mut broker) = pair(1_000);
    let server = tokio::spawn(async move {
        read_request(&mut broker).await.unwrap();
        // Never answer; keep the stream open.
        let mut sink = Vec::new();
        let _ = broker.read_to_end(&mut sink).await;
    });
    let e = conn.request(&MetadataRequest::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(conn.is_poisoned());
    drop(conn);
    server.await.unwrap();
}

#[tokio::test]
async fn a_dropped_request_leaves_the_stream_usable() {
    let (conn, mut broker) = pair(30_000);
    let server = tokio::spawn(async move {
        // First request: its caller is gone by the time we answer.
        let (k, v, c) = read_request(&mut broker).await.unwrap();
        let (k2, v2, c2) = read_request(&mut broker).await.unwrap();
        respond(&mut broker, k, v, c, &metadata_response(1)).await;
        respond(&mut broker, k2, v2, c2, &metadata_response(2)).await;
        broker
    });
    let req = MetadataRequest::default();
    {
        let fut = conn.request(&req);
        // Poll once so the frame is queued, then drop the future.
        let _ = tokio::time::timeout(Duration::from_millis(1), fut).await;
    }
    let r = conn.request(&req).await.unwrap();
    assert_eq!(r.throttle_time_ms, 2);
    assert!(!conn.is_poisoned());
    server.await.unwrap();
}

#[tokio::test]
async fn garbage_length_prefix_poisons_without_allocating() {
    let (conn, mut broker) = pair(30_000);
    let server = tokio::spawn(async move {
        read_request(&mut broker).await.unwrap();
        broker.write_all(&[0x7f, 0xff, 0xff, 0xff]).await.unwrap();
        broker
    });
    let e = conn.request(&MetadataRequest::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    server.await.unwrap();
}

struct DuplexConnector(Mutex<Option<DuplexStream>>);

impl Connector for DuplexConnector {
    fn connect<'a>(&'a self, _addr: &'a str, _t: Duration) -> transport::ConnectFuture<'a> {
        let s = self.0.lock().unwrap().take();
        Box::pin(async move {
            s.map(|s| Box::new(s) as BoxTransport)
                .ok_or_else(|| Error::new(ErrorKind::Network, "no stream"))
        })
    }
}

#[tokio::test]
async fn open_negotiates_versions_and_falls_back_to_v0() {
    let (a, mut b) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(async move {
        // First ApiVersions (v3): answer UNSUPPORTED_VERSION in v0 layout, as old brokers do.
        let (k, v, c) = read_request(&mut b).await.unwrap();
        assert_eq!((k, v), (18, 3));
        let unsupported = ApiVersionsResponse::default()
            .with_error_code(35)
            .with_api_keys(vec![ApiVersion::default()
                .with_api_key(18)
                .with_min_version(0)
                .with_max_version(2)]);
        respond(&mut b, 18, 0, c, &unsupported).await;
        let (k, v, c) = read_request(&mut b).await.unwrap();
        assert_eq!((k, v), (18, 0));
        respond(&mut b, 18, 0, c, &versions()).await;
        b
    });
    let connector = DuplexConnector(Mutex::new(Some(a)));
    let conn = Connection::open("fake:1", &connector, ConnectionConfig::default())
        .await
        .unwrap();
    assert_eq!(
        conn.version::<MetadataRequest>().unwrap(),
        MetadataRequest::VERSIONS.max
    );
    assert!(conn
        .version::<kafka_protocol::messages::ProduceRequest>()
        .is_err());
    server.await.unwrap();
}

#[tokio::test]
async fn send_queues_in_call_order_and_a_dropped_waiter_is_forgotten() {
    let (conn, mut broker) = pair(30_000);
    let req = MetadataRequest::default();
    // Queued synchronously: nothing is awaited before all three are on the write queue.
    let first = conn.send(&req, None).unwrap();
    let second = conn.send(&req, None).unwrap();
    let third = conn.send(&req, None).unwrap();
    assert_eq!(conn.in_flight(), 3);
    drop(second);
    assert_eq!(conn.in_flight(), 2, "a dropped request no longer waits");
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(read_request(&mut broker).await.unwrap());
    }
    let corrs: Vec<i32> = seen.iter().map(|r| r.2).collect();
    assert!(
        corrs.windows(2).all(|w| w[0] < w[1]),
        "wire order {corrs:?}"
    );
    for (key, v, corr) in seen.into_iter().rev() {
        respond(&mut broker, key, v, corr, &metadata_response(corr)).await;
    }
    assert_eq!(third.response().await.unwrap().throttle_time_ms, corrs[2]);
    assert_eq!(first.response().await.unwrap().throttle_time_ms, corrs[0]);
    assert!(
        !conn.is_poisoned(),
        "the answer to the dropped request was ignored"
    );
}

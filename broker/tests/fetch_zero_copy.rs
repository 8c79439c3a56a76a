//! Fetch served with sendfile (the default on plain TCP) against the copy path
//! (`ferrokafka.fetch.zero.copy=false`): identical bytes at every version, and an in-flight
//! zero-copy send survives retention, segment roll and topic deletion with the bytes that were
//! committed when it was read, without leaking file descriptors.

#[path = "broker_it/common/mod.rs"]
mod common;

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use common::*;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    delete_records_request, delete_topics_request, ApiKey, BrokerId, DeleteRecordsRequest,
    DeleteTopicsRequest, FetchRequest, FetchResponse, ProduceRequest, RequestHeader,
    ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
use kafka_protocol::records::{Compression, RecordBatchDecoder};

/// fd counts are per process and these tests share one: run them one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Record timestamps near now, so retention (7 days by default) keeps them.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Produces `batches` batches of `per_batch` records of `value_len` bytes; values are
/// `<batch>-<record>-` padded with 'x'.
async fn produce(
    c: &mut RawClient,
    topic: &str,
    batches: usize,
    per_batch: usize,
    value_len: usize,
    base_ts: i64,
) {
    for b in 0..batches {
        let records: Vec<_> = (0..per_batch)
            .map(|i| {
                let mut v = format!("{b}-{i}-");
                v.extend(std::iter::repeat_n('x', value_len.saturating_sub(v.len())));
                record(i, &v, base_ts + b as i64)
            })
            .collect();
        let req = ProduceRequest::default()
            .with_acks(-1)
            .with_timeout_ms(5000)
            .with_topic_data(vec![TopicProduceData::default()
                .with_name(topic_name(topic))
                .with_partition_data(vec![PartitionProduceData::default()
                    .with_index(0)
                    .with_records(Some(encode_batch(&records, Compression::None)))])]);
        let r = c.call(&req, 9).await;
        assert_eq!(r.responses[0].partition_responses[0].error_code, 0);
    }
}

fn fetch_req(topic: &str, offset: i64, max_bytes: i32) -> FetchRequest {
    FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(0)
        .with_min_bytes(1)
        .with_max_bytes(max_bytes)
        .with_session_epoch(-1)
        .with_topics(vec![FetchTopic::default()
            .with_topic(topic_name(topic))
            .with_partitions(vec![FetchPartition::default()
                .with_partition(0)
                .with_fetch_offset(offset)
                .with_current_leader_epoch(-1)
                .with_partition_max_bytes(max_bytes)])])
}

/// Sends a Fetch at `version` without reading the answer.
async fn send_fetch(c: &mut RawClient, req: &FetchRequest, version: i16, correlation_id: i32) {
    let mut body = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(ApiKey::Fetch as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_static_str("raw-test")))
        .encode(&mut body, FetchRequest::header_version(version))
        .unwrap();
    req.encode(&mut body, version).unwrap();
    c.send_frame(&body).await;
}

fn decode_fetch(mut frame: Bytes, version: i16) -> FetchResponse {
    ResponseHeader::decode(&mut frame, FetchResponse::header_version(version)).unwrap();
    FetchResponse::decode(&mut frame, version).unwrap()
}

fn values(records: &Bytes) -> Vec<String> {
    let mut b = records.clone();
    RecordBatchDecoder::decode_all(&mut b)
        .unwrap()
        .into_iter()
        .flat_map(|set| set.records)
        .map(|r| String::from_utf8(r.value.unwrap().to_vec()).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_copy_and_copy_paths_send_identical_frames_at_every_version() {
    let _serial = SERIAL.lock().await;
    let zero = start_broker().await;
    let copy = start_broker_with(&[("ferrokafka.fetch.zero.copy", "false")]).await;
    let mut frames: Vec<Vec<(i16, Bytes)>> = Vec::new();
    let before = ferrokafka_broker::log::sendfile_bytes();
    let ts = now_ms();
    for b in [&zero, &copy] {
        let mut c = RawClient::connect(b.handle.local_addr()).await;
        assert_eq!(
            create_topic(&mut c, "same", 1, &[]).await.topics[0].error_code,
            0
        );
        // Small batches (copied even on the zero-copy path) and large ones (sendfile).
        produce(&mut c, "same", 3, 5, 50, ts).await;
        produce(&mut c, "same", 4, 10, 10_000, ts).await;
        let mut per_version = Vec::new();
        for version in 4..=12 {
            for (offset, max) in [(0, 50 << 20), (15, 50 << 20), (3, 100), (20, 30_000)] {
                send_fetch(&mut c, &fetch_req("same", offset, max), version, 1).await;
                per_version.push((version, c.read_frame().await.unwrap()));
            }
        }
        frames.push(per_version);
    }
    assert!(
        ferrokafka_broker::log::sendfile_bytes() > before,
        "the default connection used sendfile"
    );
    assert_eq!(frames[0].len(), frames[1].len());
    for ((v, a), (_, b)) in frames[0].iter().zip(&frames[1]) {
        assert!(a == b, "v{v}: zero-copy and copy frames differ");
        assert!(!decode_fetch(a.clone(), *v).responses[0].partitions[0]
            .records
            .as_ref()
            .unwrap()
            .is_empty());
    }
    zero.handle.shutdown().await;
    copy.handle.shutdown().await;
}

/// Waits (bounded) until the broker has started a sendfile of a response nobody reads yet.
async fn until_send_in_flight(before: u64, what: &str) {
    tokio::time::timeout(Duration::from_secs(20), async {
        while ferrokafka_broker::log::sendfile_bytes() == before {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the broker starts sending the large fetch ({what})"));
}

/// A reader with a small receive window, so a large response stays in flight until read.
async fn slow_reader(b: &TestBroker) -> RawClient {
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    c.stream = socket.connect(b.handle.local_addr()).await.unwrap();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_sends_survive_retention_roll_and_topic_deletion_without_fd_leaks() {
    let _serial = SERIAL.lock().await;
    let b = start_broker().await;
    let mut admin = RawClient::connect(b.handle.local_addr()).await;
    // 12 MB per topic: more than the broker's socket send buffer can absorb at once.
    let segment = ("segment.bytes", "16000000");
    assert_eq!(
        create_topic(&mut admin, "busy", 1, &[segment]).await.topics[0].error_code,
        0
    );
    assert_eq!(
        create_topic(&mut admin, "gone", 1, &[segment]).await.topics[0].error_code,
        0
    );
    produce(&mut admin, "busy", 120, 10, 10_000, now_ms()).await;
    produce(&mut admin, "gone", 120, 10, 10_000, now_ms()).await;
    let fds_before = open_fds();

    // Retention (DeleteRecords) and a roll while the first send is in flight.
    let mut reader = slow_reader(&b).await;
    let sent = ferrokafka_broker::log::sendfile_bytes();
    send_fetch(&mut reader, &fetch_req("busy", 0, 32 << 20), 12, 1).await;
    until_send_in_flight(sent, "busy").await;
    let delete = DeleteRecordsRequest::default()
        .with_timeout_ms(5000)
        .with_topics(vec![delete_records_request::DeleteRecordsTopic::default()
            .with_name(topic_name("busy"))
            .with_partitions(vec![
                delete_records_request::DeleteRecordsPartition::default()
                    .with_partition_index(0)
                    .with_offset(1200),
            ])]);
    assert_eq!(
        admin.call(&delete, 2).await.topics[0].partitions[0].error_code,
        0
    );
    produce(&mut admin, "busy", 50, 10, 10_000, now_ms()).await; // rolls past 16 MB
    let r = decode_fetch(reader.read_frame().await.unwrap(), 12);
    let got = values(r.responses[0].partitions[0].records.as_ref().unwrap());
    assert_eq!(
        got.len(),
        1200,
        "exactly the batches committed at read time"
    );
    assert_eq!(got[0], format!("0-0-{}", "x".repeat(10_000 - 4)));
    assert!(got[1199].starts_with("119-9-"));

    // Topic deletion while the second send is in flight.
    let sent = ferrokafka_broker::log::sendfile_bytes();
    send_fetch(&mut reader, &fetch_req("gone", 0, 32 << 20), 12, 2).await;
    until_send_in_flight(sent, "gone").await;
    let del = DeleteTopicsRequest::default()
        .with_topics(vec![
            delete_topics_request::DeleteTopicState::default().with_name(Some(topic_name("gone")))
        ])
        .with_timeout_ms(5000);
    assert_eq!(admin.call(&del, 6).await.responses[0].error_code, 0);
    let r = decode_fetch(reader.read_frame().await.unwrap(), 12);
    let got = values(r.responses[0].partitions[0].records.as_ref().unwrap());
    assert_eq!(got.len(), 1200);
    assert!(got[1199].starts_with("119-9-"));

    drop(reader);
    // The deleted segment's descriptor closes with the last slice; retention and roll do not
    // add descriptors beyond the new segment's files.
    let allowed = fds_before + 3;
    tokio::time::timeout(Duration::from_secs(20), async {
        while open_fds() > allowed {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("fds: {fds_before} before, {} after", open_fds()));
    b.handle.shutdown().await;
}

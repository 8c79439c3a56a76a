//! Writes the committed seed corpora: `fuzz/seeds/request_decode/` (request frames without the
//! length prefix, one per API and version we encode) and `fuzz/seeds/record_batch_validate/`
//! (produce `records` under every codec, with the mode byte of `records_from_input`).
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example seed_corpus

use std::fs;
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use ferrokafka_fuzz::NOW_MS;
use kafka_protocol::indexmap::IndexMap;
use kafka_protocol::messages::{
    metadata_request::MetadataRequestTopic, produce_request::PartitionProduceData,
    produce_request::TopicProduceData, ApiKey, ApiVersionsRequest, CreateTopicsRequest,
    FetchRequest, FindCoordinatorRequest, HeartbeatRequest, InitProducerIdRequest,
    JoinGroupRequest, ListOffsetsRequest, MetadataRequest, OffsetCommitRequest, OffsetFetchRequest,
    ProduceRequest, RequestHeader, RequestKind, SyncGroupRequest, TopicName,
};
use kafka_protocol::protocol::{Encodable, StrBytes};
use kafka_protocol::records::{
    Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

fn batch(compression: Compression, producer_id: i64) -> Vec<u8> {
    let records: Vec<Record> = (0..3)
        .map(|i| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id,
            producer_epoch: if producer_id >= 0 { 0 } else { -1 },
            timestamp_type: TimestampType::Creation,
            offset: i,
            sequence: if producer_id >= 0 { i as i32 } else { -1 },
            timestamp: NOW_MS + i,
            key: Some(Bytes::from(format!("key-{i}"))),
            value: Some(Bytes::from(vec![b'v'; 20 + i as usize])),
            headers: IndexMap::from_iter([(
                StrBytes::from_static_str("h"),
                Some(Bytes::from_static(b"x")),
            )]),
        })
        .collect();
    let mut buf = BytesMut::new();
    RecordBatchEncoder::encode(
        &mut buf,
        &records,
        &RecordEncodeOptions {
            version: 2,
            compression,
        },
    )
    .expect("encoding a seed batch");
    buf.to_vec()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).expect("writing a seed");
}

fn requests(produce_records: Bytes) -> Vec<RequestKind> {
    let topic = TopicName(StrBytes::from_static_str("seed-topic"));
    vec![
        ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("seed"))
            .with_client_software_version(StrBytes::from_static_str("1.0"))
            .into(),
        MetadataRequest::default()
            .with_topics(Some(vec![
                MetadataRequestTopic::default().with_name(Some(topic.clone()))
            ]))
            .with_allow_auto_topic_creation(true)
            .into(),
        ProduceRequest::default()
            .with_acks(1)
            .with_timeout_ms(30_000)
            .with_topic_data(vec![TopicProduceData::default()
                .with_name(topic.clone())
                .with_partition_data(vec![PartitionProduceData::default()
                    .with_index(0)
                    .with_records(Some(produce_records))])])
            .into(),
        FetchRequest::default().with_max_wait_ms(500).into(),
        ListOffsetsRequest::default().into(),
        FindCoordinatorRequest::default().into(),
        JoinGroupRequest::default().into(),
        SyncGroupRequest::default().into(),
        HeartbeatRequest::default().into(),
        OffsetCommitRequest::default().into(),
        OffsetFetchRequest::default().into(),
        CreateTopicsRequest::default().into(),
        InitProducerIdRequest::default().into(),
    ]
}

fn api_of(kind: &RequestKind) -> ApiKey {
    match kind {
        RequestKind::ApiVersions(_) => ApiKey::ApiVersions,
        RequestKind::Metadata(_) => ApiKey::Metadata,
        RequestKind::Produce(_) => ApiKey::Produce,
        RequestKind::Fetch(_) => ApiKey::Fetch,
        RequestKind::ListOffsets(_) => ApiKey::ListOffsets,
        RequestKind::FindCoordinator(_) => ApiKey::FindCoordinator,
        RequestKind::JoinGroup(_) => ApiKey::JoinGroup,
        RequestKind::SyncGroup(_) => ApiKey::SyncGroup,
        RequestKind::Heartbeat(_) => ApiKey::Heartbeat,
        RequestKind::OffsetCommit(_) => ApiKey::OffsetCommit,
        RequestKind::OffsetFetch(_) => ApiKey::OffsetFetch,
        RequestKind::CreateTopics(_) => ApiKey::CreateTopics,
        _ => ApiKey::InitProducerId,
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let requests_dir = root.join("request_decode");
    let batches_dir = root.join("record_batch_validate");
    fs::create_dir_all(&requests_dir).expect("seed dir");
    fs::create_dir_all(&batches_dir).expect("seed dir");

    let codecs = [
        ("none", Compression::None),
        ("gzip", Compression::Gzip),
        ("snappy", Compression::Snappy),
        ("lz4", Compression::Lz4),
        ("zstd", Compression::Zstd),
    ];
    for (name, codec) in codecs {
        for (kind, pid) in [("plain", -1), ("idempotent", 7)] {
            let b = batch(codec, pid);
            // Mode 0: passed through as is (a valid batch); mode 3: repaired + timestamps.
            write(
                &batches_dir,
                &format!("{name}-{kind}-raw"),
                &[&[0u8][..], &b].concat(),
            );
            write(
                &batches_dir,
                &format!("{name}-{kind}-repair"),
                &[&[3u8][..], &b].concat(),
            );
        }
    }
    let two = [batch(Compression::None, -1), batch(Compression::Zstd, -1)].concat();
    write(
        &batches_dir,
        "two-batches-raw",
        &[&[0u8][..], &two].concat(),
    );

    let produce_records = Bytes::from(batch(Compression::Lz4, -1));
    let mut count = 0;
    for kind in requests(produce_records) {
        let api = api_of(&kind);
        let range = api.valid_versions();
        let mut versions = vec![range.min, (range.min + range.max) / 2, range.max];
        versions.dedup();
        for version in versions {
            let header = RequestHeader::default()
                .with_request_api_key(api as i16)
                .with_request_api_version(version)
                .with_correlation_id(7)
                .with_client_id(Some(StrBytes::from_static_str("seed")));
            let mut frame = BytesMut::new();
            if header
                .encode(&mut frame, api.request_header_version(version))
                .is_err()
                || kind.encode(&mut frame, version).is_err()
            {
                continue;
            }
            write(&requests_dir, &format!("{api:?}-v{version}"), &frame);
            count += 1;
        }
    }
    println!(
        "wrote {count} request seeds and 21 batch seeds under {}",
        root.display()
    );
}

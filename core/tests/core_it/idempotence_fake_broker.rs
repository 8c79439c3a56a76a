//! Idempotent producer error handling against a scripted in-memory broker: sequence gaps
//! (OUT_OF_ORDER_SEQUENCE_NUMBER) and UNKNOWN_PRODUCER_ID lead to a KIP-360 epoch bump, after
//! which sequences restart at 0 and the record is delivered once.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use ferrokafka_core::ConnectFuture;
use ferrokafka_core::{BoxTransport, Connector};
use ferrokafka_core::{ClientConfig, Producer, ProducerOptions, ProducerRecord};
use ferrokafka_protocol::read_frame;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{decode_request_header_from_buffer, Decodable, Encodable, StrBytes};
use kafka_protocol::records::RecordBatchDecoder;
use tokio::io::{AsyncWriteExt, DuplexStream};

/// What the fake broker does with the next produce requests.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Script {
    /// Acknowledge but do not store (the log loses the batch: a sequence gap follows).
    AckAndLose,
    /// Answer with this error code.
    Error(i16),
}

#[derive(Default)]
struct State {
    script: VecDeque<Script>,
    init_requests: Vec<(i64, i16)>,
    /// Stored batches: (producer id, epoch, base sequence, record count).
    log: Vec<(i64, i16, i32, i32)>,
    /// Expected next sequence for the current epoch.
    next_seq: i32,
    epoch: i16,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<State>>);

impl Connector for Fake {
    fn connect<'a>(&'a self, _addr: &'a str, _t: Duration) -> ConnectFuture<'a> {
        let (client, server) = tokio::io::duplex(1 << 20);
        tokio::spawn(serve(server, self.0.clone()));
        Box::pin(async move { Ok(Box::new(client) as BoxTransport) })
    }
}

async fn reply<M: Encodable>(s: &mut DuplexStream, key: ApiKey, version: i16, corr: i32, body: &M) {
    let mut buf = BytesMut::new();
    buf.put_i32(0);
    ResponseHeader::default()
        .with_correlation_id(corr)
        .encode(&mut buf, key.response_header_version(version))
        .unwrap();
    body.encode(&mut buf, version).unwrap();
    let len = (buf.len() - 4) as i32;
    buf[..4].copy_from_slice(&len.to_be_bytes());
    let _ = s.write_all(&buf).await;
}

fn range(key: ApiKey, max: i16) -> ApiVersion {
    ApiVersion::default()
        .with_api_key(key as i16)
        .with_min_version(0)
        .with_max_version(max)
}

async fn serve(mut s: DuplexStream, state: Arc<Mutex<State>>) {
    while let Ok(Some(frame)) = read_frame(&mut s, 1 << 20).await {
        let mut buf = frame.freeze();
        let h = decode_request_header_from_buffer(&mut buf).unwrap();
        let (v, corr) = (h.request_api_version, h.correlation_id);
        match ApiKey::try_from(h.request_api_key).unwrap() {
            ApiKey::ApiVersions => {
                let r = ApiVersionsResponse::default().with_api_keys(vec![
                    range(ApiKey::ApiVersions, 3),
                    range(ApiKey::Metadata, 12),
                    range(ApiKey::Produce, 12),
                    range(ApiKey::InitProducerId, 4),
                ]);
                reply(&mut s, ApiKey::ApiVersions, v, corr, &r).await;
            }
            ApiKey::Metadata => {
                let r = MetadataResponse::default()
                    .with_brokers(vec![MetadataResponseBroker::default()
                        .with_node_id(BrokerId(0))
                        .with_host(StrBytes::from_static_str("fake"))
                        .with_port(9092)])
                    .with_topics(vec![MetadataResponseTopic::default()
                        .with_name(Some(TopicName(StrBytes::from_static_str("t"))))
                        .with_partitions(vec![MetadataResponsePartition::default()
                            .with_partition_index(0)
                            .with_leader_id(BrokerId(0))
                            .with_leader_epoch(0)])]);
                reply(&mut s, ApiKey::Metadata, v, corr, &r).await;
            }
            ApiKey::InitProducerId => {
                let req = InitProducerIdRequest::decode(&mut buf, v).unwrap();
                let epoch = {
                    let mut st = state.lock().unwrap();
                    st.init_requests
                        .push((req.producer_id.0, req.producer_epoch));
                    st.epoch = if req.producer_id.0 == 1000 {
                        req.producer_epoch + 1
                    } else {
                        0
                    };
                    st.next_seq = 0;
                    st.epoch
                };
                let r = InitProducerIdResponse::default()
                    .with_producer_id(ProducerId(1000))
                    .with_producer_epoch(epoch);
                reply(&mut s, ApiKey::InitProducerId, v, corr, &r).await;
            }
            ApiKey::Produce => {
                let req = ProduceRequest::decode(&mut buf, v).unwrap();
                let mut records = req.topic_data[0].partition_data[0].records.clone().unwrap();
                let info = RecordBatchDecoder::decode_batch_info(&mut records)
                    .unwrap()
                    .remove(0);
                let (code, offset) = {
                    let mut st = state.lock().unwrap();
                    let key = (
                        info.producer_id,
                        info.producer_epoch,
                        info.base_sequence,
                        info.record_count,
                    );
                    match st.script.pop_front() {
                        Some(Script::Error(c)) => (c, -1),
                        Some(Script::AckAndLose) => (0, 99),
                        None if info.producer_epoch != st.epoch => (47, -1),
                        None if info.base_sequence == st.next_seq => {
                            st.next_seq += info.record_count;
                            st.log.push(key);
                            (0, st.log.len() as i64 - 1)
                        }
                        None => (45, -1),
                    }
                };
                let r =
                    ProduceResponse::default().with_responses(vec![TopicProduceResponse::default(
                    )
                    .with_name(TopicName(StrBytes::from_static_str("t")))
                    .with_partition_responses(vec![PartitionProduceResponse::default()
                        .with_index(0)
                        .with_error_code(code)
                        .with_base_offset(offset)])]);
                reply(&mut s, ApiKey::Produce, v, corr, &r).await;
            }
            other => panic!("fake broker got unexpected {other:?}"),
        }
    }
}

fn producer(fake: &Fake) -> Producer {
    let cfg = ClientConfig::from_pairs([
        ("bootstrap.servers", "fake:9092"),
        ("linger.ms", "0"),
        ("retry.backoff.ms", "5"),
    ])
    .unwrap();
    Producer::with_options(
        cfg,
        ProducerOptions {
            connector: Some(Arc::new(fake.clone())),
            ..Default::default()
        },
    )
    .unwrap()
}

#[tokio::test]
async fn sequence_gap_bumps_the_epoch_and_restarts_sequences() {
    let fake = Fake::default();
    let p = producer(&fake);
    p.send(ProducerRecord::new("t", "a")).await.unwrap();
    // The broker acknowledges "b" but loses it: "c" then hits a real gap.
    fake.0.lock().unwrap().script.push_back(Script::AckAndLose);
    p.send(ProducerRecord::new("t", "b")).await.unwrap();
    let md = p.send(ProducerRecord::new("t", "c")).await.unwrap();
    assert!(md.offset >= 0);
    let st = fake.0.lock().unwrap();
    assert_eq!(
        st.init_requests,
        vec![(-1, -1), (1000, 0)],
        "KIP-360 bump of our own id"
    );
    assert_eq!(
        st.log,
        vec![(1000, 0, 0, 1), (1000, 1, 0, 1)],
        "c re-sent once with epoch 1, seq 0"
    );
}

#[tokio::test]
async fn unknown_producer_id_bumps_the_epoch() {
    let fake = Fake::default();
    let p = producer(&fake);
    p.send(ProducerRecord::new("t", "a")).await.unwrap();
    fake.0.lock().unwrap().script.push_back(Script::Error(59));
    p.send(ProducerRecord::new("t", "b")).await.unwrap();
    p.send(ProducerRecord::new("t", "c")).await.unwrap();
    let st = fake.0.lock().unwrap();
    assert_eq!(st.init_requests, vec![(-1, -1), (1000, 0)]);
    assert_eq!(
        st.log,
        vec![(1000, 0, 0, 1), (1000, 1, 0, 1), (1000, 1, 1, 1)]
    );
}

#[tokio::test]
async fn retriable_errors_keep_the_sequence_and_fatal_ones_surface() {
    let fake = Fake::default();
    let p = producer(&fake);
    fake.0
        .lock()
        .unwrap()
        .script
        .extend([Script::Error(6), Script::Error(19)]);
    p.send(ProducerRecord::new("t", "a")).await.unwrap();
    {
        let st = fake.0.lock().unwrap();
        assert_eq!(
            st.log,
            vec![(1000, 0, 0, 1)],
            "two retries, one write, same sequence"
        );
        assert_eq!(st.init_requests.len(), 1, "no bump for retriable errors");
    }
    fake.0.lock().unwrap().script.push_back(Script::Error(90));
    let err = p.send(ProducerRecord::new("t", "b")).await.unwrap_err();
    assert_eq!(err.kind(), ferrokafka_core::ErrorKind::ProducerFenced);
    let err = p.send(ProducerRecord::new("t", "c")).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ferrokafka_core::ErrorKind::ProducerFenced,
        "fenced is fatal"
    );
}

//! Helpers for broker integration tests: start a broker on a free port with a temporary data
//! directory, and a minimal raw-protocol client built on `kafka-protocol`.
#![allow(dead_code)]

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use ferrokafka_broker::{Broker, BrokerHandle};
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::{
    CreateTopicsRequest, CreateTopicsResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct TestBroker {
    pub handle: BrokerHandle,
    pub dir: tempfile::TempDir,
}

pub async fn start_broker() -> TestBroker {
    start_broker_with(&[]).await
}

pub async fn start_broker_with(settings: &[(&str, &str)]) -> TestBroker {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut b = Broker::builder()
        .data_dir(dir.path())
        .listen("127.0.0.1:0")
        .config("group.initial.rebalance.delay.ms", "0");
    for (k, v) in settings {
        b = b.config(*k, *v);
    }
    let handle = b.start().await.expect("broker starts");
    TestBroker { handle, dir }
}

/// A raw connection speaking the Kafka protocol.
pub struct RawClient {
    pub stream: TcpStream,
    correlation: i32,
}

impl RawClient {
    pub async fn connect(addr: std::net::SocketAddr) -> RawClient {
        RawClient {
            stream: TcpStream::connect(addr).await.expect("connect"),
            correlation: 0,
        }
    }

    /// Sends one request at `version` and decodes its response.
    pub async fn call<R: Request>(&mut self, req: &R, version: i16) -> R::Response {
        self.correlation += 1;
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation)
            .with_client_id(Some(StrBytes::from_static_str("raw-test")));
        let mut body = BytesMut::new();
        header
            .encode(&mut body, R::header_version(version))
            .expect("encode header");
        req.encode(&mut body, version).expect("encode body");
        self.send_frame(&body).await;
        let mut frame = self.read_frame().await.expect("response frame");
        let rh = ResponseHeader::decode(&mut frame, R::Response::header_version(version))
            .expect("response header");
        assert_eq!(
            rh.correlation_id, self.correlation,
            "responses arrive in order"
        );
        R::Response::decode(&mut frame, version).expect("decode response")
    }

    pub async fn send_frame(&mut self, body: &[u8]) {
        let mut out = Vec::with_capacity(body.len() + 4);
        out.extend_from_slice(&(body.len() as i32).to_be_bytes());
        out.extend_from_slice(body);
        self.stream.write_all(&out).await.expect("write");
    }

    /// Reads one frame; None when the broker closed the connection.
    pub async fn read_frame(&mut self) -> Option<Bytes> {
        let mut len = [0u8; 4];
        tokio::time::timeout(Duration::from_secs(10), self.stream.read_exact(&mut len))
            .await
            .expect("broker answers or closes within 10 s")
            .ok()?;
        let mut buf = vec![0u8; i32::from_be_bytes(len) as usize];
        self.stream.read_exact(&mut buf).await.ok()?;
        Some(Bytes::from(buf))
    }

    /// True when the broker closed this connection (EOF or reset) within 10 s.
    pub async fn closed_by_broker(&mut self) -> bool {
        let mut b = [0u8; 1];
        match tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut b)).await {
            Ok(Ok(0)) | Ok(Err(_)) => true,
            Ok(Ok(_)) => false,
            Err(_) => false,
        }
    }
}

use kafka_protocol::messages::{list_offsets_request, BrokerId, ListOffsetsRequest, TopicName};
use kafka_protocol::records::{
    Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

pub fn topic_name(s: &str) -> TopicName {
    TopicName(StrBytes::from_string(s.to_string()))
}

/// Record `i` of a batch: key `k<i>`, one header `h=v`, no producer id.
pub fn record(i: usize, value: &str, timestamp: i64) -> Record {
    Record {
        transactional: false,
        control: false,
        delete_horizon: false,
        partition_leader_epoch: -1,
        producer_id: -1,
        producer_epoch: -1,
        timestamp_type: TimestampType::Creation,
        offset: i as i64,
        sequence: -1,
        timestamp,
        key: Some(Bytes::from(format!("k{i}"))),
        value: Some(Bytes::from(value.to_string())),
        headers: [(
            StrBytes::from_static_str("h"),
            Some(Bytes::from_static(b"v")),
        )]
        .into_iter()
        .collect(),
    }
}

/// A real magic-v2 record batch of `records`.
pub fn encode_batch(records: &[Record], compression: Compression) -> Bytes {
    let mut buf = BytesMut::new();
    RecordBatchEncoder::encode(
        &mut buf,
        records,
        &RecordEncodeOptions {
            version: 2,
            compression,
        },
    )
    .expect("encode batch");
    buf.freeze()
}

/// ListOffsets for one partition at `timestamp` (-1 latest, -2 earliest): (offset, timestamp).
pub async fn list_offset(
    c: &mut RawClient,
    topic: &str,
    partition: i32,
    timestamp: i64,
) -> (i64, i64) {
    let req = ListOffsetsRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_topics(vec![list_offsets_request::ListOffsetsTopic::default()
            .with_name(topic_name(topic))
            .with_partitions(vec![
                list_offsets_request::ListOffsetsPartition::default()
                    .with_partition_index(partition)
                    .with_timestamp(timestamp),
            ])]);
    let r = c.call(&req, 9).await;
    let p = &r.topics[0].partitions[0];
    (p.offset, p.timestamp)
}

/// CreateTopics (v7) for one topic with `partitions` and `configs`; the caller checks the code.
pub async fn create_topic(
    c: &mut RawClient,
    topic: &str,
    partitions: i32,
    configs: &[(&str, &str)],
) -> CreateTopicsResponse {
    let t = CreatableTopic::default()
        .with_name(topic_name(topic))
        .with_num_partitions(partitions)
        .with_replication_factor(-1)
        .with_configs(
            configs
                .iter()
                .map(|(k, v)| {
                    CreatableTopicConfig::default()
                        .with_name(StrBytes::from_string(k.to_string()))
                        .with_value(Some(StrBytes::from_string(v.to_string())))
                })
                .collect(),
        );
    c.call(
        &CreateTopicsRequest::default()
            .with_topics(vec![t])
            .with_timeout_ms(5000),
        7,
    )
    .await
}

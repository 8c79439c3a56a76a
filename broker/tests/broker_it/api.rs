//! The broker's answers on the wire, API by API, as Kafka gives them: produce and fetch round
//! trips (by name and by topic id), per-partition errors, long polling, offsets, topic admin,
//! configs, and durability across a restart.

use crate::common;

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use common::{
    create_topic, encode_batch, record, start_broker, start_broker_with, topic_name, RawClient,
};
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{Compression, RecordBatchDecoder};

/// A timestamp `offset_ms` after a fixed recent instant: records stamped in 1970 would be
/// deleted by retention (7 days) as soon as housekeeping runs.
fn t(offset_ms: i64) -> i64 {
    static BASE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *BASE.get_or_init(|| ferrokafka_broker::now_ms() - 60_000) + offset_ms
}

fn batch(values: &[&str], compression: Compression, base_ts: i64) -> Bytes {
    let records: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| record(i, v, base_ts + i as i64))
        .collect();
    encode_batch(&records, compression)
}

fn produce_req(topic: &str, partition: i32, records: Bytes, acks: i16) -> ProduceRequest {
    ProduceRequest::default()
        .with_acks(acks)
        .with_timeout_ms(5000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(topic_name(topic))
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(partition)
                .with_records(Some(records))])])
}

fn fetch_req(
    topic: &str,
    partition: i32,
    offset: i64,
    max_wait_ms: i32,
    min_bytes: i32,
) -> FetchRequest {
    FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(max_wait_ms)
        .with_min_bytes(min_bytes)
        .with_max_bytes(50 * 1024 * 1024)
        .with_session_epoch(-1)
        .with_topics(vec![FetchTopic::default()
            .with_topic(topic_name(topic))
            .with_partitions(vec![FetchPartition::default()
                .with_partition(partition)
                .with_fetch_offset(offset)
                .with_current_leader_epoch(-1)
                .with_partition_max_bytes(1024 * 1024)])])
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

#[tokio::test]
async fn produce_then_fetch_every_codec_by_name() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    assert_eq!(
        create_topic(&mut c, "codecs", 1, &[]).await.topics[0].error_code,
        0
    );
    let mut expected = Vec::new();
    for (i, codec) in [
        Compression::None,
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ]
    .into_iter()
    .enumerate()
    {
        let vals: Vec<String> = (0..3).map(|j| format!("{codec:?}-{j}")).collect();
        let refs: Vec<&str> = vals.iter().map(String::as_str).collect();
        let r = c
            .call(
                &produce_req("codecs", 0, batch(&refs, codec, t(1000)), -1),
                9,
            )
            .await;
        let p = &r.responses[0].partition_responses[0];
        assert_eq!(p.error_code, 0, "{codec:?}");
        assert_eq!(p.base_offset, (i * 3) as i64);
        expected.extend(vals);
    }
    let f = c.call(&fetch_req("codecs", 0, 0, 0, 1), 12).await;
    let p = &f.responses[0].partitions[0];
    assert_eq!(p.error_code, 0);
    assert_eq!(p.high_watermark, 15);
    assert_eq!(values(p.records.as_ref().unwrap()), expected);
}

#[tokio::test]
async fn produce_and_fetch_by_topic_id_at_the_newest_versions() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    let created = create_topic(&mut c, "by-id", 2, &[]).await;
    let id = created.topics[0].topic_id;
    assert!(!id.is_nil());
    let req = ProduceRequest::default()
        .with_acks(1)
        .with_timeout_ms(5000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_topic_id(id)
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(1)
                .with_records(Some(batch(&["a", "b"], Compression::None, t(5))))])]);
    let r = c.call(&req, 13).await;
    assert_eq!(r.responses[0].partition_responses[0].error_code, 0);
    let mut f = fetch_req("", 1, 0, 0, 1);
    f.topics[0].topic_id = id;
    let f = c.call(&f, 17).await;
    assert_eq!(f.responses[0].topic_id, id);
    assert_eq!(
        values(f.responses[0].partitions[0].records.as_ref().unwrap()),
        vec!["a", "b"]
    );
    // An unknown id is UNKNOWN_TOPIC_ID (100).
    let mut f = fetch_req("", 0, 0, 0, 1);
    f.topics[0].topic_id = uuid::Uuid::new_v4();
    assert_eq!(
        c.call(&f, 17).await.responses[0].partitions[0].error_code,
        100
    );
}

#[tokio::test]
async fn bad_batches_get_kafkas_error_codes_per_partition() {
    let b = start_broker_with(&[("message.max.bytes", "2000")]).await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    create_topic(&mut c, "strict", 1, &[]).await;
    // A flipped byte in the record data breaks the CRC: CORRUPT_MESSAGE (2).
    let mut corrupt = BytesMut::from(&batch(&["hello"], Compression::None, t(1))[..]);
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xff;
    let r = c
        .call(&produce_req("strict", 0, corrupt.freeze(), -1), 9)
        .await;
    assert_eq!(r.responses[0].partition_responses[0].error_code, 2);
    // A batch over message.max.bytes: MESSAGE_TOO_LARGE (10), with a message.
    let big = "x".repeat(5000);
    let r = c
        .call(
            &produce_req("strict", 0, batch(&[&big], Compression::None, t(1)), -1),
            9,
        )
        .await;
    let p = &r.responses[0].partition_responses[0];
    assert_eq!(p.error_code, 10);
    assert!(p.error_message.is_some());
    // Unknown topic and unknown partition: UNKNOWN_TOPIC_OR_PARTITION (3).
    let r = c
        .call(
            &produce_req("nope", 0, batch(&["a"], Compression::None, t(1)), -1),
            9,
        )
        .await;
    assert_eq!(r.responses[0].partition_responses[0].error_code, 3);
    let r = c
        .call(
            &produce_req("strict", 7, batch(&["a"], Compression::None, t(1)), -1),
            9,
        )
        .await;
    assert_eq!(r.responses[0].partition_responses[0].error_code, 3);
    // Bad acks: INVALID_REQUIRED_ACKS (21).
    let r = c
        .call(
            &produce_req("strict", 0, batch(&["a"], Compression::None, t(1)), 2),
            9,
        )
        .await;
    assert_eq!(r.responses[0].partition_responses[0].error_code, 21);
    // Nothing was appended by any of these.
    let f = c.call(&fetch_req("strict", 0, 0, 0, 1), 12).await;
    assert_eq!(f.responses[0].partitions[0].high_watermark, 0);
}

#[tokio::test]
async fn acks_zero_gets_no_response_but_is_written() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    create_topic(&mut c, "fire", 1, &[]).await;
    // Send an acks=0 produce by hand, then an ApiVersions: the first answer must be ApiVersions'.
    let mut body = BytesMut::new();
    use kafka_protocol::protocol::{Encodable, HeaderVersion};
    let header = RequestHeader::default()
        .with_request_api_key(0)
        .with_request_api_version(9)
        .with_correlation_id(500);
    header
        .encode(&mut body, ProduceRequest::header_version(9))
        .unwrap();
    produce_req("fire", 0, batch(&["x"], Compression::None, t(1)), 0)
        .encode(&mut body, 9)
        .unwrap();
    c.send_frame(&body).await;
    let v = c.call(&ApiVersionsRequest::default(), 0).await;
    assert_eq!(v.error_code, 0);
    let f = c.call(&fetch_req("fire", 0, 0, 0, 1), 12).await;
    assert_eq!(
        values(f.responses[0].partitions[0].records.as_ref().unwrap()),
        vec!["x"]
    );
}

#[tokio::test]
async fn fetch_long_polls_until_data_arrives_or_max_wait() {
    let b = start_broker().await;
    let addr = b.handle.local_addr();
    let mut c = RawClient::connect(addr).await;
    create_topic(&mut c, "poll", 1, &[]).await;
    // Nothing there: the fetch waits about max_wait_ms and returns empty.
    let started = Instant::now();
    let f = c.call(&fetch_req("poll", 0, 0, 300, 1), 12).await;
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert!(f.responses[0].partitions[0]
        .records
        .as_ref()
        .unwrap()
        .is_empty());
    // A produce from another connection wakes a waiting fetch well before its 20 s max wait.
    let waiter = tokio::spawn(async move {
        let mut c2 = RawClient::connect(addr).await;
        c2.call(&fetch_req("poll", 0, 0, 20_000, 1), 12).await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.call(
        &produce_req("poll", 0, batch(&["wake"], Compression::None, t(1)), 1),
        9,
    )
    .await;
    let f = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("woken by the produce")
        .unwrap();
    assert_eq!(
        values(f.responses[0].partitions[0].records.as_ref().unwrap()),
        vec!["wake"]
    );
}

#[tokio::test]
async fn fetch_out_of_range_and_list_offsets() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    create_topic(&mut c, "offs", 1, &[]).await;
    c.call(
        &produce_req(
            "offs",
            0,
            batch(&["a", "b", "c"], Compression::None, t(1000)),
            1,
        ),
        9,
    )
    .await;
    c.call(
        &produce_req("offs", 0, batch(&["d"], Compression::None, t(5000)), 1),
        9,
    )
    .await;
    let f = c.call(&fetch_req("offs", 0, 99, 0, 1), 12).await;
    assert_eq!(
        f.responses[0].partitions[0].error_code, 1,
        "OFFSET_OUT_OF_RANGE"
    );
    let q = |ts: i64| {
        ListOffsetsRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_topics(vec![ListOffsetsTopic::default()
                .with_name(topic_name("offs"))
                .with_partitions(vec![ListOffsetsPartition::default()
                    .with_partition_index(0)
                    .with_timestamp(ts)])])
    };
    let off = |r: ListOffsetsResponse| {
        (
            r.topics[0].partitions[0].offset,
            r.topics[0].partitions[0].timestamp,
        )
    };
    assert_eq!(off(c.call(&q(-2), 9).await).0, 0, "earliest");
    assert_eq!(off(c.call(&q(-1), 9).await).0, 4, "latest");
    assert_eq!(
        off(c.call(&q(t(1001)), 9).await),
        (1, t(1001)),
        "by timestamp"
    );
    assert_eq!(
        off(c.call(&q(t(4000)), 9).await),
        (3, t(5000)),
        "first at or after"
    );
    assert_eq!(off(c.call(&q(t(9999)), 9).await).0, -1, "none that late");
    assert_eq!(off(c.call(&q(-3), 9).await), (3, t(5000)), "max timestamp");
    // DeleteRecords moves the log start offset; earliest follows it.
    let d = c.call(&DeleteRecordsRequest::default().with_timeout_ms(5000).with_topics(vec![
        kafka_protocol::messages::delete_records_request::DeleteRecordsTopic::default().with_name(topic_name("offs")).with_partitions(vec![
            kafka_protocol::messages::delete_records_request::DeleteRecordsPartition::default().with_partition_index(0).with_offset(2),
        ]),
    ]), 2).await;
    assert_eq!(d.topics[0].partitions[0].low_watermark, 2);
    assert_eq!(off(c.call(&q(-2), 9).await).0, 2);
}

#[tokio::test]
async fn create_topics_errors_match_kafka() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    assert_eq!(
        create_topic(&mut c, "t1", 3, &[("retention.ms", "1000")])
            .await
            .topics[0]
            .error_code,
        0
    );
    assert_eq!(
        create_topic(&mut c, "t1", 3, &[]).await.topics[0].error_code,
        36,
        "TOPIC_ALREADY_EXISTS"
    );
    assert_eq!(
        create_topic(&mut c, "bad name!", 1, &[]).await.topics[0].error_code,
        17,
        "INVALID_TOPIC_EXCEPTION"
    );
    assert_eq!(
        create_topic(&mut c, "t2", 0, &[]).await.topics[0].error_code,
        37,
        "INVALID_PARTITIONS"
    );
    assert_eq!(
        create_topic(&mut c, "t3", 1, &[("retention.ms", "soon")])
            .await
            .topics[0]
            .error_code,
        40,
        "INVALID_CONFIG"
    );
    assert_eq!(
        create_topic(&mut c, "t4", 1, &[("no.such", "1")])
            .await
            .topics[0]
            .error_code,
        40
    );
    let rf3 = CreatableTopic::default()
        .with_name(topic_name("t5"))
        .with_num_partitions(1)
        .with_replication_factor(3);
    let r = c
        .call(&CreateTopicsRequest::default().with_topics(vec![rf3]), 7)
        .await;
    assert_eq!(r.topics[0].error_code, 38, "INVALID_REPLICATION_FACTOR");
    // validate_only creates nothing.
    let v = CreatableTopic::default()
        .with_name(topic_name("t6"))
        .with_num_partitions(1)
        .with_replication_factor(1);
    let r = c
        .call(
            &CreateTopicsRequest::default()
                .with_topics(vec![v])
                .with_validate_only(true),
            7,
        )
        .await;
    assert_eq!(r.topics[0].error_code, 0);
    let m = c
        .call(&MetadataRequest::default().with_topics(None), 12)
        .await;
    let names: Vec<String> = m
        .topics
        .iter()
        .map(|t| t.name.as_ref().unwrap().0.to_string())
        .collect();
    assert_eq!(names, vec!["t1"]);
    assert_eq!(m.topics[0].partitions.len(), 3);
}

#[tokio::test]
async fn configs_describe_and_incremental_alter() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    create_topic(&mut c, "cfg", 1, &[("retention.ms", "1000")]).await;
    use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
    use kafka_protocol::messages::incremental_alter_configs_request::{
        AlterConfigsResource, AlterableConfig,
    };
    let describe = || {
        DescribeConfigsRequest::default().with_resources(vec![DescribeConfigsResource::default()
            .with_resource_type(2)
            .with_resource_name(StrBytes::from_static_str("cfg"))
            .with_configuration_keys(None)])
    };
    let value = |r: &DescribeConfigsResponse, key: &str| {
        r.results[0]
            .configs
            .iter()
            .find(|c| c.name.as_str() == key)
            .and_then(|c| c.value.as_ref().map(|v| v.to_string()))
    };
    let r = c.call(&describe(), 4).await;
    assert_eq!(value(&r, "retention.ms").as_deref(), Some("1000"));
    assert_eq!(value(&r, "segment.bytes").as_deref(), Some("1073741824"));
    let alter = |key: &str, op: i8, v: Option<&str>| {
        IncrementalAlterConfigsRequest::default().with_resources(vec![
            AlterConfigsResource::default()
                .with_resource_type(2)
                .with_resource_name(StrBytes::from_static_str("cfg"))
                .with_configs(vec![AlterableConfig::default()
                    .with_name(StrBytes::from_string(key.to_string()))
                    .with_config_operation(op)
                    .with_value(v.map(|s| StrBytes::from_string(s.to_string())))]),
        ])
    };
    assert_eq!(
        c.call(&alter("retention.ms", 1, None), 1).await.responses[0].error_code,
        0
    );
    assert_eq!(
        c.call(&alter("cleanup.policy", 2, Some("compact")), 1)
            .await
            .responses[0]
            .error_code,
        0
    );
    assert_eq!(
        c.call(&alter("retention.ms", 0, Some("never")), 1)
            .await
            .responses[0]
            .error_code,
        40
    );
    let r = c.call(&describe(), 4).await;
    assert_eq!(value(&r, "retention.ms").as_deref(), Some("604800000"));
    assert_eq!(
        value(&r, "cleanup.policy").as_deref(),
        Some("delete,compact")
    );
}

#[tokio::test]
async fn topics_and_records_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let start = || async {
        ferrokafka_broker::Broker::builder()
            .data_dir(dir.path())
            .listen("127.0.0.1:0")
            .start()
            .await
            .unwrap()
    };
    let h = start().await;
    let mut c = RawClient::connect(h.local_addr()).await;
    let id = create_topic(&mut c, "keep", 2, &[("retention.ms", "86400000")])
        .await
        .topics[0]
        .topic_id;
    let p = c
        .call(
            &produce_req(
                "keep",
                1,
                batch(
                    &["one", "two"],
                    Compression::Lz4,
                    ferrokafka_broker::now_ms(),
                ),
                -1,
            ),
            9,
        )
        .await;
    assert_eq!(p.responses[0].partition_responses[0].error_code, 0);
    let cluster = h.cluster_id().to_string();
    h.shutdown().await;
    let h = start().await;
    assert_eq!(h.cluster_id(), cluster);
    let mut c = RawClient::connect(h.local_addr()).await;
    let m = c
        .call(&MetadataRequest::default().with_topics(None), 12)
        .await;
    assert_eq!(m.topics[0].topic_id, id);
    assert_eq!(m.topics[0].partitions.len(), 2);
    let f = c.call(&fetch_req("keep", 1, 0, 0, 1), 12).await;
    let fp = &f.responses[0].partitions[0];
    assert_eq!(
        (fp.error_code, fp.log_start_offset, fp.high_watermark),
        (0, 0, 2)
    );
    assert_eq!(
        values(f.responses[0].partitions[0].records.as_ref().unwrap()),
        vec!["one", "two"]
    );
    h.shutdown().await;
}

#[tokio::test]
async fn metadata_auto_creates_only_when_allowed() {
    let b = start_broker_with(&[("num.partitions", "3")]).await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    let req = |allow: bool| {
        MetadataRequest::default()
            .with_topics(Some(vec![
                kafka_protocol::messages::metadata_request::MetadataRequestTopic::default()
                    .with_name(Some(topic_name("auto"))),
            ]))
            .with_allow_auto_topic_creation(allow)
    };
    assert_eq!(c.call(&req(false), 12).await.topics[0].error_code, 3);
    let m = c.call(&req(true), 12).await;
    assert_eq!(m.topics[0].error_code, 0);
    assert_eq!(m.topics[0].partitions.len(), 3);
}

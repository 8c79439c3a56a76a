//! The idempotent producer under load against a real broker (Apache Kafka or ours, see
//! tests/common): every record is delivered once, in order, with contiguous offsets.
//!
//! Regression test for the stall where pipelined ProduceRequests reached the broker out of
//! order (sequence gaps, OUT_OF_ORDER_SEQUENCE_NUMBER retries, spurious epoch bumps) and records
//! expired after `delivery.timeout.ms`.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use bytes::{Buf, Bytes};
use ferrokafka_core::{Cluster, Producer, ProducerRecord};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::{BrokerId, FetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{Record, RecordBatchDecoder};

const RECORDS: usize = 50_000;
const RECORD_SIZE: usize = 1_000;
const PARTITIONS: i32 = 3;

/// A 1 KB value that names its record: `index` as 8 decimal digits, then filler.
fn value(index: usize) -> Bytes {
    let mut v = format!("{index:08}").into_bytes();
    v.resize(RECORD_SIZE, b'a' + (index % 26) as u8);
    Bytes::from(v)
}

fn index_of(value: &[u8]) -> usize {
    std::str::from_utf8(value.get(..8).expect("value has an index prefix"))
        .expect("ascii index")
        .parse()
        .expect("decimal index")
}

/// Reads one partition from offset 0 until `count` records arrived or `limit` passed. Unlike
/// `common::fetch` it stops at a partial batch at the end of a response, which Apache Kafka sends
/// when a partition holds more than the fetch's byte limit.
async fn fetch(
    cluster: &Cluster,
    topic: &str,
    partition: i32,
    count: usize,
    limit: Duration,
) -> Vec<Record> {
    let deadline = tokio::time::Instant::now() + limit;
    let mut out: Vec<Record> = Vec::new();
    let mut offset = 0i64;
    while out.len() < count && tokio::time::Instant::now() < deadline {
        let leader = cluster.metadata().leader(topic, partition).expect("leader");
        let conn = cluster.broker(leader).await.expect("leader connection");
        let req = FetchRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_max_wait_ms(200)
            .with_min_bytes(1)
            .with_max_bytes(8 << 20)
            .with_session_epoch(-1)
            .with_topics(vec![FetchTopic::default()
                .with_topic(TopicName(StrBytes::from_string(topic.to_string())))
                .with_partitions(vec![FetchPartition::default()
                    .with_partition(partition)
                    .with_fetch_offset(offset)
                    .with_partition_max_bytes(4 << 20)])]);
        let resp = conn.request(&req).await.expect("fetch");
        for t in resp.responses {
            for p in t.partitions {
                assert_eq!(p.error_code, 0, "fetch {topic}-{partition} error");
                let Some(mut records) = p.records else {
                    continue;
                };
                // Batch header: base offset (8 bytes), then the length of the rest (4 bytes).
                while records.len() >= 12 {
                    let rest = (&records[8..12]).get_i32();
                    if records.len() < 12 + rest.max(0) as usize {
                        break; // a partial batch: fetched again from `offset` next round
                    }
                    let set = RecordBatchDecoder::decode(&mut records).expect("decodable batch");
                    for r in set.records {
                        if r.offset >= offset {
                            offset = r.offset + 1;
                            out.push(r);
                        }
                    }
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_acks_all_producer_under_load_delivers_everything_once_in_order() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let cluster = common::cluster().await;
    let topic = common::topic_name("load");
    common::create_topic(&cluster, &topic, PARTITIONS).await;
    // The defaults (idempotence on, acks=all, 5 requests in flight) plus a delivery timeout
    // that a healthy producer never comes near but that a stalled one reaches within the test.
    let producer = Producer::new(common::config(&[
        ("acks", "all"),
        ("enable.idempotence", "true"),
        ("linger.ms", "5"),
        ("delivery.timeout.ms", "90000"),
    ]))
    .unwrap();

    // As fast as possible: every send is enqueued at once (records beyond buffer.memory wait
    // in the producer's ordered intake queue).
    let futures: Vec<_> = (0..RECORDS)
        .map(|i| {
            producer
                .send(ProducerRecord::new(&topic, value(i)).with_partition(i as i32 % PARTITIONS))
        })
        .collect();
    let results = tokio::time::timeout(Duration::from_secs(240), async {
        let mut out = Vec::with_capacity(RECORDS);
        for f in futures {
            out.push(f.await);
        }
        out
    })
    .await
    .expect("every delivery future resolves within 240 s");

    let mut failures: HashMap<String, usize> = HashMap::new();
    let mut offsets: HashMap<i32, Vec<(i64, usize)>> = HashMap::new();
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(md) => {
                assert_eq!(md.partition, i as i32 % PARTITIONS, "record {i} partition");
                offsets
                    .entry(md.partition)
                    .or_default()
                    .push((md.offset, i));
            }
            Err(e) => *failures.entry(e.to_string()).or_default() += 1,
        }
    }
    assert!(failures.is_empty(), "records failed: {failures:?}");

    for p in 0..PARTITIONS {
        let sent: Vec<usize> = (0..RECORDS)
            .filter(|i| *i as i32 % PARTITIONS == p)
            .collect();
        // Offsets are contiguous from 0 and follow the send order.
        let mut acked = offsets.remove(&p).unwrap_or_default();
        acked.sort();
        let acked_offsets: Vec<i64> = acked.iter().map(|(o, _)| *o).collect();
        assert_eq!(
            acked_offsets,
            (0..sent.len() as i64).collect::<Vec<_>>(),
            "partition {p}: one offset per record, no gaps, no duplicates"
        );
        let acked_order: Vec<usize> = acked.iter().map(|(_, i)| *i).collect();
        assert_eq!(
            acked_order, sent,
            "partition {p}: offsets follow the send order"
        );

        // What the broker holds is exactly what was sent, once, in order.
        let got = fetch(&cluster, &topic, p, sent.len(), Duration::from_secs(60)).await;
        assert_eq!(
            got.len(),
            sent.len(),
            "partition {p}: every record is in the log"
        );
        // Give a duplicate (or anything else written after) a chance to show up.
        let again = fetch(&cluster, &topic, p, sent.len() + 1, Duration::from_secs(3)).await;
        assert_eq!(
            again.len(),
            sent.len(),
            "partition {p}: no record written twice"
        );
        let read: Vec<usize> = got
            .iter()
            .map(|r| index_of(r.value.as_ref().expect("record has a value")))
            .collect();
        assert_eq!(
            read, sent,
            "partition {p}: the log holds the records sent, in order"
        );
        for (r, i) in got.iter().zip(&sent) {
            assert_eq!(r.value.as_deref(), Some(&value(*i)[..]), "record {i} bytes");
        }
    }
    producer.close(Duration::from_secs(30)).await.unwrap();
}

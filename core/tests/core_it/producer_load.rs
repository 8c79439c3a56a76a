//! The idempotent producer under load against a real broker (Apache Kafka or ours, see
//! tests/common): every record is delivered once, in order, with contiguous offsets.
//!
//! Regression test for the stall where pipelined ProduceRequests reached the broker out of
//! order (sequence gaps, OUT_OF_ORDER_SEQUENCE_NUMBER retries, spurious epoch bumps) and records
//! expired after `delivery.timeout.ms`.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use ferrokafka_core::{Producer, ProducerRecord};

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
        let got =
            common::fetch_within(&cluster, &topic, p, sent.len(), Duration::from_secs(60)).await;
        assert_eq!(
            got.len(),
            sent.len(),
            "partition {p}: every record is in the log"
        );
        // Give a duplicate (or anything else written after) a chance to show up.
        let again =
            common::fetch_within(&cluster, &topic, p, sent.len() + 1, Duration::from_secs(3)).await;
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

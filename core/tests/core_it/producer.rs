//! Producer against a real broker (Apache Kafka or ours, see tests/common).

use crate::common;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ferrokafka_core::partitioner::partition_for_key;
use ferrokafka_core::{ErrorKind, Producer, ProducerOptions, ProducerRecord};

fn keyed(topic: &str, i: usize) -> ProducerRecord {
    ProducerRecord::new(topic, format!("value-{i}"))
        .with_key(format!("key-{i}"))
        .with_header("trace", Some(Bytes::from(format!("t{i}"))))
        .with_header("empty", None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyed_records_with_headers_round_trip_under_every_codec() {
    let cluster = common::cluster().await;
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let topic = common::topic_name(&format!("codec-{codec}"));
        common::create_topic(&cluster, &topic, 3).await;
        let producer = Producer::new(common::config(&[("compression.type", codec)])).unwrap();
        let futures: Vec<_> = (0..60).map(|i| producer.send(keyed(&topic, i))).collect();
        let mut by_partition: HashMap<i32, Vec<(usize, i64)>> = HashMap::new();
        for (i, f) in futures.into_iter().enumerate() {
            let md = f
                .await
                .unwrap_or_else(|e| panic!("{codec}: record {i}: {e}"));
            assert_eq!(
                md.partition,
                partition_for_key(format!("key-{i}").as_bytes(), 3),
                "murmur2 partition"
            );
            assert!(md.offset >= 0);
            by_partition
                .entry(md.partition)
                .or_default()
                .push((i, md.offset));
        }
        for (partition, sent) in by_partition {
            let records = common::fetch(&cluster, &topic, partition, sent.len()).await;
            assert_eq!(
                records.len(),
                sent.len(),
                "{codec}: partition {partition} count"
            );
            for ((i, offset), r) in sent.iter().zip(&records) {
                assert_eq!(
                    r.offset, *offset,
                    "{codec}: offsets match the delivery reports"
                );
                assert_eq!(common::bytes(&r.key), Some(format!("key-{i}").into_bytes()));
                assert_eq!(
                    common::bytes(&r.value),
                    Some(format!("value-{i}").into_bytes())
                );
                let trace = r.headers.get(&b"trace"[..]).cloned().flatten();
                assert_eq!(trace, Some(Bytes::from(format!("t{i}"))));
                assert_eq!(r.headers.get(&b"empty"[..]), Some(&None));
                assert!(r.producer_id >= 0, "idempotent by default");
            }
        }
        producer.close(Duration::from_secs(10)).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acks_zero_one_and_all_deliver() {
    let cluster = common::cluster().await;
    for acks in ["0", "1", "all"] {
        let topic = common::topic_name(&format!("acks-{acks}"));
        common::create_topic(&cluster, &topic, 1).await;
        let producer = Producer::new(common::config(&[("acks", acks)])).unwrap();
        let futs = producer.send_batch(
            (0..20)
                .map(|i| ProducerRecord::new(&topic, format!("v{i}")))
                .collect(),
        );
        for f in futs {
            let md = f.await.unwrap();
            if acks == "0" {
                assert_eq!(md.offset, -1, "acks=0 has no offsets");
            } else {
                assert!(md.offset >= 0);
            }
        }
        let got = common::fetch(&cluster, &topic, 0, 20).await;
        assert_eq!(got.len(), 20, "acks={acks}");
        let values: Vec<_> = got
            .iter()
            .map(|r| common::bytes(&r.value).unwrap())
            .collect();
        let want: Vec<_> = (0..20).map(|i| format!("v{i}").into_bytes()).collect();
        assert_eq!(values, want, "acks={acks}: order kept");
        producer.close(Duration::from_secs(10)).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_retries_after_lost_responses_never_duplicate() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("idem");
    common::create_topic(&cluster, &topic, 1).await;
    let connector = Arc::new(common::FaultyConnector::default());
    let producer = Producer::with_options(
        common::config(&[("linger.ms", "20"), ("retry.backoff.ms", "20")]),
        ProducerOptions {
            connector: Some(connector.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    // Warm up: metadata and producer id.
    producer
        .send(ProducerRecord::new(&topic, "warm"))
        .await
        .unwrap();
    let mut total = 1;
    for round in 0..5 {
        // The next response read fails: the broker wrote the batch, the client retries it.
        connector.faults.store(1, Ordering::SeqCst);
        let futs: Vec<_> = (0..10)
            .map(|i| producer.send(ProducerRecord::new(&topic, format!("r{round}-{i}"))))
            .collect();
        for f in futs {
            f.await.unwrap();
        }
        total += 10;
    }
    assert!(
        producer.metrics().record_retry_total > 0,
        "faults forced retries"
    );
    let got = common::fetch(&cluster, &topic, 0, total).await;
    // Give any duplicate a chance to show up.
    let again = common::fetch_within(&cluster, &topic, 0, total + 1, Duration::from_secs(3)).await;
    assert_eq!(got.len(), total);
    assert_eq!(again.len(), total, "no record was written twice");
    let mut values: Vec<_> = again
        .iter()
        .map(|r| String::from_utf8(common::bytes(&r.value).unwrap()).unwrap())
        .collect();
    let expected: Vec<String> = std::iter::once("warm".to_string())
        .chain((0..5).flat_map(|r| (0..10).map(move |i| format!("r{r}-{i}"))))
        .collect();
    assert_eq!(values, expected, "order kept across retries");
    values.dedup();
    assert_eq!(values.len(), total);
    let seqs: Vec<i32> = again.iter().map(|r| r.sequence).collect();
    assert_eq!(
        seqs,
        (0..total as i32).collect::<Vec<_>>(),
        "one sequence per record, no gaps"
    );
    producer.close(Duration::from_secs(10)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_over_max_request_size_fails_fast_with_a_typed_error() {
    let topic = common::topic_name("big");
    let producer = Producer::new(common::config(&[("max.request.size", "10000")])).unwrap();
    let err = producer
        .send(ProducerRecord::new(&topic, vec![0u8; 20_000]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RecordTooLarge);
    assert!(err.to_string().contains("max.request.size"), "{err}");
    producer.close(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_and_close_drain_everything() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("flush");
    common::create_topic(&cluster, &topic, 2).await;
    let producer = Producer::new(common::config(&[("linger.ms", "60000")])).unwrap();
    let futs: Vec<_> = (0..500)
        .map(|i| producer.send(ProducerRecord::new(&topic, format!("{i}"))))
        .collect();
    producer.flush().await.unwrap();
    for f in futs {
        // Resolved already: flush returned only after every delivery report.
        let md = tokio::time::timeout(Duration::ZERO, f)
            .await
            .expect("delivered before flush returned")
            .unwrap();
        assert!(md.offset >= 0);
    }
    let late: Vec<_> = (0..50)
        .map(|i| producer.send(ProducerRecord::new(&topic, format!("late{i}"))))
        .collect();
    producer.close(Duration::from_secs(30)).await.unwrap();
    for f in late {
        tokio::time::timeout(Duration::ZERO, f)
            .await
            .expect("close drained")
            .unwrap();
    }
    let err = producer
        .send(ProducerRecord::new(&topic, "after"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed);
    let m = producer.metrics();
    assert_eq!(m.record_send_total, 550);
    assert!(m.batch_size_avg > 0.0 && m.request_latency_avg > 0.0);
}

/// A closed producer sends nothing more, as Java's: before, its metadata refresher kept running
/// until the handle was dropped, and its Metadata requests (which may auto-create their topics)
/// brought a topic deleted after the close back to life (a Node test saw it under CI load).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_producer_does_not_bring_back_a_deleted_topic() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("closed-refresh");
    common::create_topic(&cluster, &topic, 1).await;
    cluster.close();
    // A refresh every 50 ms, auto-creation allowed (the producer's default).
    let producer = Producer::new(common::config(&[("metadata.max.age.ms", "50")])).unwrap();
    producer
        .send(ProducerRecord::new(&topic, "one"))
        .await
        .unwrap();
    producer.close(Duration::from_secs(30)).await.unwrap();
    let admin = ferrokafka_core::Admin::new(common::config(&[])).unwrap();
    admin.delete_topics(&[topic.as_str()]).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while admin.list_topics(false).await.unwrap().contains(&topic) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{topic} was never deleted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Twenty of the producer's metadata ages; the handle is still alive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let topics = admin.list_topics(false).await.unwrap();
    assert!(
        !topics.contains(&topic),
        "{topic} came back after the delete"
    );
    drop(producer);
    admin.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_buffer_memory_blocks_then_fails_with_buffer_exhausted() {
    // buffer.memory 8000, max.block.ms 300; the broker's answers stop arriving: memory is
    // never returned.
    let (producer, _connector, topic) = common::stalled_producer("300").await;
    let futs: Vec<_> = (0..20)
        .map(|_| producer.send(ProducerRecord::new(&topic, vec![1u8; 1000])))
        .collect();
    let mut exhausted = 0;
    // One shared deadline: records that got memory stay stalled in flight.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    for f in futs {
        if let Ok(Err(e)) = tokio::time::timeout_at(deadline, f).await {
            if e.kind() == ErrorKind::BufferExhausted {
                exhausted += 1;
            }
        }
    }
    assert!(
        exhausted > 0,
        "sends beyond buffer.memory fail after max.block.ms"
    );
    assert!(producer.buffered_bytes() <= 8000);
    let _ = producer.close(Duration::from_millis(100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_records_are_sticky_and_explicit_partitions_are_honoured() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("sticky");
    common::create_topic(&cluster, &topic, 4).await;
    let producer = Producer::new(common::config(&[("linger.ms", "100")])).unwrap();
    let futs: Vec<_> = (0..20)
        .map(|i| producer.send(ProducerRecord::new(&topic, format!("{i}"))))
        .collect();
    let mut parts = Vec::new();
    for f in futs {
        parts.push(f.await.unwrap().partition);
    }
    parts.dedup();
    assert_eq!(
        parts.len(),
        1,
        "a small keyless burst sticks to one partition: {parts:?}"
    );
    let md = producer
        .send(ProducerRecord::new(&topic, "x").with_partition(3))
        .await
        .unwrap();
    assert_eq!(md.partition, 3);
    let err = producer
        .send(ProducerRecord::new(&topic, "x").with_partition(9))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownTopicOrPartition);
    producer.close(Duration::from_secs(5)).await.unwrap();
}

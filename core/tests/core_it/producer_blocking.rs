//! `Producer::wait_for_room`: blocking for metadata and `buffer.memory` before a send, as Java's
//! `send()` does, against a real broker whose answers are held back (see tests/common).

use crate::common;

use std::time::Duration;

use ferrokafka_core::{ErrorKind, Producer, ProducerRecord};
use tokio::time::Instant;

const LIMIT: usize = 8000;

fn record(topic: &str, i: usize) -> ProducerRecord {
    let mut value = format!("{i:06}").into_bytes();
    value.resize(900, b'.');
    ProducerRecord::new(topic, value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_larger_than_buffer_memory_waits_for_room_and_loses_nothing() {
    let (producer, connector, topic) = common::stalled_producer("60000").await;
    const N: usize = 40; // about 4.5 × buffer.memory
    let (progress_tx, mut progress) = tokio::sync::mpsc::unbounded_channel();
    let p = producer.clone();
    let t = topic.clone();
    let writer = tokio::spawn(async move {
        let mut futs = Vec::new();
        for i in 0..N {
            let r = record(&t, i);
            p.wait_for_room(&r, Instant::now() + Duration::from_secs(60))
                .await
                .expect("room within the deadline");
            futs.push(p.send(r));
            assert!(p.buffered_bytes() <= LIMIT, "one caller never overshoots");
            progress_tx.send(i).unwrap();
        }
        futs
    });
    // Stalled, the writer gets only as far as buffer.memory allows, then waits.
    let mut sent = 0;
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(500), progress.recv()).await
    {
        sent += 1;
    }
    assert!(
        sent > 0 && sent < N,
        "the writer stopped at a full buffer after {sent}"
    );
    assert!(!writer.is_finished());
    connector.resume();
    let futs = writer.await.unwrap();
    let mut offsets = Vec::new();
    for f in futs {
        offsets.push(f.await.expect("every record delivered").offset);
    }
    // In send order, none lost or duplicated ("warm" is offset 0).
    assert_eq!(offsets, (1..=N as i64).collect::<Vec<_>>());
    let cluster = common::cluster().await;
    cluster
        .topic(&topic, Instant::now() + Duration::from_secs(30))
        .await
        .unwrap();
    let got = common::fetch(&cluster, &topic, 0, N + 1).await;
    assert_eq!(got.len(), N + 1);
    for (i, r) in got[1..].iter().enumerate() {
        assert_eq!(
            &r.value.as_ref().unwrap()[..6],
            format!("{i:06}").as_bytes()
        );
    }
    producer.close(Duration::from_secs(10)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_buffer_times_out_with_buffer_exhausted_and_keeps_what_was_sent() {
    let (producer, connector, topic) = common::stalled_producer("300").await;
    let mut futs = Vec::new();
    let mut refused = None;
    for i in 0..20 {
        let r = record(&topic, i);
        match producer
            .wait_for_room(&r, Instant::now() + Duration::from_millis(300))
            .await
        {
            Ok(()) => futs.push(producer.send(r)),
            Err(e) => {
                refused = Some((i, e));
                break;
            }
        }
    }
    let (at, e) = refused.expect("a full buffer refuses at the deadline");
    assert_eq!(e.kind(), ErrorKind::BufferExhausted, "{e}");
    assert!(at > 0 && at * 900 <= LIMIT, "refused at record {at}");
    assert_eq!(producer.metrics().record_error_total, 1);
    // The blocking form, from a thread of its own, bounded by max.block.ms.
    let p = producer.clone();
    let r = record(&topic, 99);
    let e = std::thread::spawn(move || p.wait_for_room_blocking(&r))
        .join()
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BufferExhausted, "{e}");
    connector.resume();
    for f in futs {
        f.await.expect("what got room is delivered");
    }
    // Room again once the broker answers.
    producer
        .wait_for_room(&record(&topic, 0), Instant::now() + Duration::from_secs(30))
        .await
        .unwrap();
    producer.close(Duration::from_secs(10)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_releases_a_waiter() {
    let (producer, _connector, topic) = common::stalled_producer("60000").await;
    for i in 0.. {
        let r = record(&topic, i);
        if producer.buffered_bytes() + 1000 > LIMIT {
            break;
        }
        drop(producer.send(r));
    }
    let p = producer.clone();
    let t = topic.clone();
    let waiter = tokio::spawn(async move {
        p.wait_for_room(&record(&t, 0), Instant::now() + Duration::from_secs(120))
            .await
    });
    let _ = producer.close(Duration::from_millis(100)).await;
    // Ok: the send after it reports the close.
    waiter.await.unwrap().unwrap();
    let e = producer.send(record(&topic, 0)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Closed);
}

/// A producer whose only bootstrap server accepts connections and never answers.
async fn silent_producer() -> Producer {
    Producer::new(
        ferrokafka_core::ClientConfig::from_pairs([
            ("bootstrap.servers", common::silent_broker().await.as_str()),
            ("max.block.ms", "300"),
        ])
        .unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_metadata_times_out_with_timeout() {
    let producer = silent_producer().await;
    let e = producer
        .wait_for_room(
            &ProducerRecord::new("no-metadata", "x"),
            Instant::now() + Duration::from_millis(300),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(producer.metrics().record_error_total, 1);
    // Its sender is stuck on an InitProducerId the broker never answers (request.timeout.ms is
    // 30 s): close(0), like Java's close(Duration.ZERO), does not wait for it.
    let started = std::time::Instant::now();
    producer.close(Duration::ZERO).await.unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "close(0) took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_for_topic_answers_the_partition_count_or_times_out() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("wait-topic");
    common::create_topic(&cluster, &topic, 3).await;
    let producer = Producer::new(common::config(&[])).unwrap();
    assert_eq!(producer.partition_count(&topic), None, "nothing asked yet");
    let deadline = Instant::now() + Duration::from_secs(30);
    assert_eq!(producer.wait_for_topic(&topic, deadline).await.unwrap(), 3);
    assert_eq!(producer.partition_count(&topic), Some(3));
    let _ = producer.close(Duration::from_millis(100)).await;

    // No broker answers: Timeout at the deadline, and no record counted as failed.
    let silent = silent_producer().await;
    let e = silent
        .wait_for_topic("no-metadata", Instant::now() + Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(silent.metrics().record_error_total, 0);
    // partitionsFor waits max.block.ms (300 ms here), not request.timeout.ms (30 s) for the
    // metadata request the broker never answers.
    let started = std::time::Instant::now();
    let e = silent.partitions_for("no-metadata").await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(
        took < Duration::from_secs(5),
        "partitions_for took {took:?}"
    );
    let _ = silent.close(Duration::from_millis(100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_for_partition_times_out_or_finds_a_partition_added_meanwhile() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("wait-partition");
    common::create_topic(&cluster, &topic, 1).await;
    let producer = Producer::new(common::config(&[])).unwrap();
    let soon = Instant::now() + Duration::from_millis(400);
    let e = producer
        .wait_for_partition(&topic, 1, soon)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.to_string().contains("partition count 1"), "{e}");
    assert!(Instant::now() >= soon, "it waited until the deadline");

    // A partition added while it waits is found by its metadata refreshes.
    let admin = ferrokafka_core::Admin::new(common::config(&[])).unwrap();
    let waiting = {
        let (producer, topic) = (producer.clone(), topic.clone());
        tokio::spawn(async move {
            producer
                .wait_for_partition(&topic, 1, Instant::now() + Duration::from_secs(30))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    admin.create_partitions(&topic, 2, false).await.unwrap();
    assert_eq!(waiting.await.unwrap().unwrap(), 2);
    let _ = producer.close(Duration::from_millis(100)).await;
}

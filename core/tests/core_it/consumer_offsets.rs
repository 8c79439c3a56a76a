//! Consumer offsets against a real broker: seek, position, committed, offsets_for_times,
//! pause/resume, auto.offset.reset=none, every codec.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use ferrokafka_core::consumer::{Consumer, ConsumerRecord, OffsetAndMetadata};
use ferrokafka_core::{ErrorKind, Producer, ProducerRecord, TopicPartition};
use tokio::time::Instant;

async fn produce(topic: &str, n: usize, extra: &[(&str, &str)], ts: Option<i64>) {
    let p = Producer::new(common::config(extra)).unwrap();
    let futs: Vec<_> = (0..n)
        .map(|i| {
            let mut r = ProducerRecord::new(topic, format!("v{i}"))
                .with_partition(0)
                .with_header("h", Some(bytes::Bytes::from(format!("{i}"))));
            if let Some(t) = ts {
                r = r.with_timestamp(t + i as i64 * 1000);
            }
            p.send(r)
        })
        .collect();
    for f in futs {
        f.await.expect("delivered");
    }
    p.close(Duration::from_secs(10)).await.unwrap();
}

async fn poll_n(c: &Consumer, n: usize) -> Vec<ConsumerRecord> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut out = Vec::new();
    while out.len() < n && Instant::now() < deadline {
        out.extend(c.poll(Duration::from_millis(200)).await.expect("poll"));
    }
    out
}

/// A consumer from the earliest offset, without auto-commit.
fn consumer(group: Option<&str>, extra: &[(&str, &str)]) -> Consumer {
    let mut kv = vec![
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
    ];
    if let Some(g) = group {
        kv.push(("group.id", g));
    }
    kv.extend_from_slice(extra);
    Consumer::new(common::config(&kv)).unwrap()
}

fn assigned(group: Option<&str>, extra: &[(&str, &str)], tp: &TopicPartition) -> Consumer {
    let c = consumer(group, extra);
    c.assign(vec![tp.clone()]).unwrap();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seek_position_committed_pause_resume_and_offsets_for_times() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("offsets");
    common::create_topic(&cluster, &topic, 1).await;
    // An hour ago: recent enough that retention (7 days) keeps the records.
    let base_ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 3_600_000;
    produce(&topic, 20, &[], Some(base_ts)).await;
    let tp = TopicPartition::new(topic.as_str(), 0);
    let group = common::topic_name("g");
    let c = assigned(Some(&group), &[("max.poll.records", "5")], &tp);
    assert_eq!(c.position(&tp).await.unwrap(), 0);
    let first = c.poll(Duration::from_secs(10)).await.unwrap();
    let first = if first.is_empty() {
        poll_n(&c, 1).await
    } else {
        first
    };
    assert!(first.len() <= 5, "max.poll.records");
    assert_eq!(first[0].offset, 0);
    assert_eq!(
        first[0].headers,
        vec![("h".to_string(), Some(bytes::Bytes::from("0")))]
    );
    assert_eq!(first[0].timestamp, base_ts);

    c.seek(&tp, 12).unwrap();
    assert_eq!(c.position(&tp).await.unwrap(), 12);
    let rs = poll_n(&c, 1).await;
    assert_eq!(rs[0].offset, 12, "seek moves the next record");

    let commit = BTreeMap::from([(tp.clone(), OffsetAndMetadata::with_metadata(7, "note"))]);
    c.commit_sync(Some(commit)).await.unwrap();
    let committed = c.committed(std::slice::from_ref(&tp)).await.unwrap();
    assert_eq!(committed[&tp].offset, 7);
    assert_eq!(committed[&tp].metadata, "note");

    let times = c
        .offsets_for_times(&BTreeMap::from([(tp.clone(), base_ts + 10_500)]))
        .await
        .unwrap();
    assert_eq!(
        times[&tp].unwrap().offset,
        11,
        "first record at or after the timestamp"
    );
    let none = c
        .offsets_for_times(&BTreeMap::from([(tp.clone(), base_ts + 1_000_000)]))
        .await
        .unwrap();
    assert_eq!(none[&tp], None);

    c.pause(std::slice::from_ref(&tp));
    c.seek_to_beginning(std::slice::from_ref(&tp))
        .await
        .unwrap();
    assert_eq!(c.paused(), vec![tp.clone()]);
    assert!(
        c.poll(Duration::from_millis(600)).await.unwrap().is_empty(),
        "paused partitions return nothing"
    );
    c.resume(std::slice::from_ref(&tp));
    let rs = poll_n(&c, 1).await;
    assert_eq!(rs[0].offset, 0, "seek_to_beginning");
    c.seek_to_end(std::slice::from_ref(&tp)).await.unwrap();
    assert_eq!(c.position(&tp).await.unwrap(), 20);
    assert_eq!(
        c.end_offsets(std::slice::from_ref(&tp)).await.unwrap()[&tp],
        20
    );

    // A new consumer in the group starts at the committed offset.
    let c2 = assigned(Some(&group), &[], &tp);
    assert_eq!(c2.position(&tp).await.unwrap(), 7);
    c.close().await.unwrap();
    c2.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_offset_reset_none_is_a_typed_error() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("reset-none");
    common::create_topic(&cluster, &topic, 1).await;
    let tp = TopicPartition::new(topic.as_str(), 0);
    let group = common::topic_name("g");
    let c = assigned(Some(&group), &[("auto.offset.reset", "none")], &tp);
    let e = c.poll(Duration::from_secs(2)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OffsetOutOfRange, "{e}");
    assert!(e.to_string().contains("auto.offset.reset"), "{e}");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latest_reset_skips_existing_records() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("reset-latest");
    common::create_topic(&cluster, &topic, 1).await;
    produce(&topic, 5, &[], None).await;
    let tp = TopicPartition::new(topic.as_str(), 0);
    let c = assigned(None, &[("auto.offset.reset", "latest")], &tp);
    assert_eq!(c.position(&tp).await.unwrap(), 5);
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_codec_decodes() {
    let cluster = common::cluster().await;
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let topic = common::topic_name(&format!("cdec-{codec}"));
        common::create_topic(&cluster, &topic, 1).await;
        produce(&topic, 50, &[("compression.type", codec)], None).await;
        let tp = TopicPartition::new(topic.as_str(), 0);
        let c = assigned(None, &[("max.partition.fetch.bytes", "1024")], &tp);
        let rs = poll_n(&c, 50).await;
        let offsets: Vec<i64> = rs.iter().map(|r| r.offset).collect();
        assert_eq!(
            offsets,
            (0..50).collect::<Vec<_>>(),
            "{codec}: every record, in order, once"
        );
        assert_eq!(rs[49].value.as_deref(), Some(&b"v49"[..]), "{codec}");
        c.close().await.unwrap();
    }
}

/// A broker answers one connection's requests in order, and holds a fetch that finds no new
/// records for `fetch.max.wait.ms`. Commits go on the consumer's dedicated coordinator
/// connection (as Java's do), so one never waits behind such a fetch: here each commit's 5 s
/// timeout would expire while the fetch is held for 20 s if they shared the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_do_not_wait_behind_a_fetch_the_broker_holds() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("commit-behind-fetch");
    common::create_topic(&cluster, &topic, 1).await;
    produce(&topic, 3, &[], None).await;
    let tp = TopicPartition::new(topic.as_str(), 0);
    let held = [
        ("fetch.max.wait.ms", "20000"),
        ("request.timeout.ms", "40000"),
    ];
    let assigned_group = common::topic_name("g-assigned");
    commit_each_behind_a_held_fetch(assigned(Some(&assigned_group), &held, &tp), &tp).await;

    let member_group = common::topic_name("g-member");
    let member = consumer(Some(&member_group), &held);
    member.subscribe(&[topic.as_str()]).unwrap();
    commit_each_behind_a_held_fetch(member, &tp).await;
}

async fn commit_each_behind_a_held_fetch(c: Consumer, tp: &TopicPartition) {
    let got = poll_n(&c, 3).await;
    assert_eq!(got.len(), 3, "records before the held fetch");
    // That poll sent the next fetch, which the broker holds: no more records come.
    assert!(c.poll(Duration::from_millis(300)).await.unwrap().is_empty());
    for r in &got {
        let offsets = BTreeMap::from([(tp.clone(), OffsetAndMetadata::new(r.offset + 1))]);
        c.commit_sync_with_timeout(Some(offsets), Duration::from_secs(5))
            .await
            .unwrap_or_else(|e| panic!("commit of offset {} waited: {e}", r.offset));
    }
    let committed = c.committed(std::slice::from_ref(tp)).await.unwrap();
    assert_eq!(committed.get(tp).map(|o| o.offset), Some(3));
    c.close().await.unwrap();
}

/// Records are decoded on another thread while the next fetch is already on its way: with seeks
/// between polls (back, and to the position itself) the consumer hands out exactly the records
/// from the sought offset on, in order, none stale, none skipped. Whether a seek lands while a
/// fetch is being decoded depends on timing here; the state machine's unit tests
/// (`consumer::state`) drive those cases one by one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeks_while_fetches_are_decoded_hand_out_contiguous_records_from_the_sought_offset() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("pipeline");
    common::create_topic(&cluster, &topic, 1).await;
    const N: i64 = 20_000;
    // Small fetches and polls of 50: many fetches, each decoded beside the next one.
    produce(&topic, N as usize, &[("linger.ms", "5")], None).await;
    let tp = TopicPartition::new(topic.as_str(), 0);
    let c = assigned(
        None,
        &[
            ("max.partition.fetch.bytes", "16384"),
            ("max.poll.records", "50"),
        ],
        &tp,
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut next, mut polls, mut seeks) = (0i64, 0u32, 0u32);
    while next < N && Instant::now() < deadline {
        let records = c.poll(Duration::from_millis(200)).await.expect("poll");
        for r in &records {
            assert_eq!(r.offset, next, "after {seeks} seeks");
            assert_eq!(
                common::bytes(&r.value),
                Some(format!("v{next}").into_bytes())
            );
            next += 1;
        }
        polls += 1;
        if !records.is_empty() && polls % 2 == 0 && seeks < 40 {
            let to = if seeks % 2 == 0 {
                (next - 37).max(0)
            } else {
                next
            };
            c.seek(&tp, to).unwrap();
            next = to;
            seeks += 1;
        }
    }
    assert_eq!(next, N, "every record up to the end, after {seeks} seeks");
    assert!(seeks >= 20, "only {seeks} seeks");
    c.close().await.unwrap();
}

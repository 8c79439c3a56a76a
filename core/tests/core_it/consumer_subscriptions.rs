//! Consumer features against a real broker that the other suites do not cover: regex
//! subscriptions picking up new topics, `max.poll.interval.ms` handing a stalled member's
//! partitions to the rest of the group, OFFSET_OUT_OF_RANGE resets, `auto.offset.reset=latest`,
//! `fetch.min.bytes` with `fetch.max.wait.ms`, and the producer's custom partitioner hook.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use ferrokafka_core::consumer::Consumer;
use ferrokafka_core::partitioner::{PartitionContext, Partitioner};
use ferrokafka_core::{
    Admin, ConsumerRecord, Producer, ProducerOptions, ProducerRecord, TopicPartition,
};
use tokio::time::Instant;

fn consumer(extra: &[(&str, &str)]) -> Consumer {
    let mut kv = vec![
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
        ("heartbeat.interval.ms", "300"),
        ("session.timeout.ms", "10000"),
    ];
    kv.extend_from_slice(extra);
    Consumer::new(common::config(&kv)).expect("consumer")
}

async fn produce(topic: &str, partition: Option<i32>, values: impl IntoIterator<Item = String>) {
    let p = Producer::new(common::config(&[("linger.ms", "1")])).unwrap();
    let futs: Vec<_> = values
        .into_iter()
        .map(|v| {
            let mut r = ProducerRecord::new(topic, v);
            if let Some(part) = partition {
                r = r.with_partition(part);
            }
            p.send(r)
        })
        .collect();
    for f in futs {
        f.await.expect("delivered");
    }
    p.close(Duration::from_secs(10)).await.unwrap();
}

/// Polls until `done` says so or `secs` passed; returns everything polled.
async fn poll_until(
    c: &Consumer,
    secs: u64,
    done: impl Fn(&[ConsumerRecord]) -> bool,
) -> Vec<ConsumerRecord> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut out = Vec::new();
    while !done(&out) && Instant::now() < deadline {
        out.extend(c.poll(Duration::from_millis(200)).await.expect("poll"));
    }
    out
}

fn values(rs: &[ConsumerRecord]) -> BTreeSet<String> {
    rs.iter()
        .map(|r| String::from_utf8(r.value.as_ref().unwrap().to_vec()).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regex_subscription_follows_matching_topics_created_later() {
    let cluster = common::cluster().await;
    let prefix = common::topic_name("rx");
    let (a, b, other) = (
        format!("{prefix}-a"),
        format!("{prefix}-b"),
        common::topic_name("unrelated"),
    );
    common::create_topic(&cluster, &a, 1).await;
    common::create_topic(&cluster, &other, 1).await;
    produce(&a, None, ["a0".to_string()]).await;
    produce(&other, None, ["x0".to_string()]).await;
    let c = consumer(&[
        ("group.id", &common::topic_name("g")),
        ("metadata.max.age.ms", "1000"),
    ]);
    c.subscribe_pattern(&format!("^{prefix}-.*")).unwrap();
    let got = poll_until(&c, 60, |rs| !rs.is_empty()).await;
    assert_eq!(values(&got), BTreeSet::from(["a0".to_string()]));
    // Committed, so the rebalance the new topic causes does not hand out a0 again.
    c.commit_sync(None).await.unwrap();

    common::create_topic(&cluster, &b, 2).await;
    produce(&b, None, ["b0".to_string(), "b1".to_string()]).await;
    let got = poll_until(&c, 60, |rs| values(rs).len() >= 2).await;
    assert_eq!(
        values(&got),
        BTreeSet::from(["b0".to_string(), "b1".to_string()]),
        "a topic created after subscribing is picked up; unrelated topics never"
    );
    let topics: BTreeSet<String> = c
        .assignment()
        .iter()
        .map(|tp| tp.topic.to_string())
        .collect();
    assert_eq!(topics, BTreeSet::from([a, b]));
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_stops_polling_loses_its_partitions_to_the_group() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("mpi");
    common::create_topic(&cluster, &topic, 2).await;
    let group = common::topic_name("g");
    let stalled = consumer(&[("group.id", &group), ("max.poll.interval.ms", "3000")]);
    stalled.subscribe(&[&topic]).unwrap();
    poll_until(&stalled, 60, |_| stalled.assignment().len() == 2).await;
    assert_eq!(stalled.assignment().len(), 2);

    let active = consumer(&[("group.id", &group), ("max.poll.interval.ms", "3000")]);
    active.subscribe(&[&topic]).unwrap();
    // `stalled` never polls again: after max.poll.interval.ms it leaves the group and `active`
    // ends up with both partitions and reads what either of them receives.
    let deadline = Instant::now() + Duration::from_secs(60);
    while active.assignment().len() < 2 && Instant::now() < deadline {
        active.poll(Duration::from_millis(200)).await.unwrap();
    }
    assert_eq!(
        active.assignment().len(),
        2,
        "took over the stalled member's partition"
    );
    produce(&topic, Some(0), ["p0".to_string()]).await;
    produce(&topic, Some(1), ["p1".to_string()]).await;
    let got = poll_until(&active, 60, |rs| rs.len() >= 2).await;
    assert_eq!(
        values(&got),
        BTreeSet::from(["p0".to_string(), "p1".to_string()])
    );
    active.close().await.unwrap();
    let _ = stalled.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_positions_reset_by_policy() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("oor");
    common::create_topic(&cluster, &topic, 1).await;
    produce(&topic, Some(0), (0..10).map(|i| format!("v{i}"))).await;
    let tp = TopicPartition::new(topic.as_str(), 0);
    let admin = Admin::new(common::config(&[])).unwrap();
    let low = admin
        .delete_records(&BTreeMap::from([(tp.clone(), 4)]))
        .await
        .unwrap();
    assert_eq!(low[&tp], 4);

    // Below the log start offset: earliest now means offset 4.
    let c = consumer(&[]);
    c.assign(vec![tp.clone()]).unwrap();
    c.seek(&tp, 1).unwrap();
    let got = poll_until(&c, 60, |rs| !rs.is_empty()).await;
    assert_eq!(
        got.first().map(|r| r.offset),
        Some(4),
        "reset to the log start"
    );

    // Past the end with auto.offset.reset=latest: the next record produced is the first one read.
    let latest = consumer(&[("auto.offset.reset", "latest")]);
    latest.assign(vec![tp.clone()]).unwrap();
    latest.seek(&tp, 1_000).unwrap();
    assert!(latest
        .poll(Duration::from_millis(1500))
        .await
        .unwrap()
        .is_empty());
    produce(&topic, Some(0), ["after".to_string()]).await;
    let got = poll_until(&latest, 60, |rs| !rs.is_empty()).await;
    assert_eq!(got.first().map(|r| r.offset), Some(10));
    assert_eq!(values(&got), BTreeSet::from(["after".to_string()]));
    c.close().await.unwrap();
    latest.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_min_bytes_waits_at_most_fetch_max_wait() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("fmb");
    common::create_topic(&cluster, &topic, 1).await;
    produce(&topic, Some(0), ["small".to_string()]).await;
    // The broker holds the fetch for up to fetch.max.wait.ms hoping for 1 MiB, then answers
    // with the one small record it has.
    let c = consumer(&[("fetch.min.bytes", "1048576"), ("fetch.max.wait.ms", "300")]);
    c.assign(vec![TopicPartition::new(topic.as_str(), 0)])
        .unwrap();
    let got = poll_until(&c, 30, |rs| !rs.is_empty()).await;
    assert_eq!(values(&got), BTreeSet::from(["small".to_string()]));
    c.close().await.unwrap();
}

/// Sends every record whose value starts with a digit to that partition; the rest to built-in.
struct LeadingDigit;

impl Partitioner for LeadingDigit {
    fn partition(
        &self,
        ctx: &PartitionContext<'_>,
        _key: Option<&[u8]>,
        value: Option<&[u8]>,
    ) -> Option<i32> {
        let d = value?.first().filter(|c| c.is_ascii_digit())?;
        Some(i32::from(d - b'0') % ctx.partition_count)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_partitioner_decides_and_can_defer_to_the_built_in() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("cpart");
    common::create_topic(&cluster, &topic, 3).await;
    let p = Producer::with_options(
        common::config(&[("linger.ms", "1")]),
        ProducerOptions {
            partitioner: Some(Arc::new(LeadingDigit)),
            ..ProducerOptions::default()
        },
    )
    .unwrap();
    for (value, want) in [
        ("2-x", Some(2)),
        ("0-y", Some(0)),
        ("5-z", Some(2)),
        ("k", None),
    ] {
        let md = p
            .send(ProducerRecord::new(topic.as_str(), value).with_key("same-key"))
            .await
            .unwrap();
        match want {
            Some(w) => assert_eq!(md.partition, w, "{value}"),
            None => assert_eq!(
                md.partition,
                ferrokafka_core::partitioner::partition_for_key(b"same-key", 3),
                "deferred to murmur2"
            ),
        }
    }
    p.close(Duration::from_secs(10)).await.unwrap();
}

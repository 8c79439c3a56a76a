//! Cross-client consumer groups: a core consumer and an Apache Kafka Java consumer in one group
//! with the same assignor (range, cooperative-sticky) split the partitions — whichever joins
//! first leads and runs its own assignor — and read every record exactly once between them. When
//! the Java member leaves, the core takes over its partitions from the offsets Java committed.
//!
//! Runs against the broker named by FERROKAFKA_TEST_TARGET (see tests/common); the Java member is
//! tests/interop/java-core/CoreInterop.java in `group` mode.

use crate::common;
use crate::cross_client_java;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use cross_client_java::{GroupEvent, JavaMember};
use ferrokafka_core::consumer::{Consumer, ConsumerRecord};
use ferrokafka_core::{Producer, ProducerRecord};
use tokio::time::Instant;

const PARTITIONS: i32 = 6;
const RECORDS: usize = 600;
const MORE: usize = 120;

fn owned_by_core(consumer: &Consumer) -> Vec<i32> {
    let mut ps: Vec<i32> = consumer
        .assignment()
        .iter()
        .map(|tp| tp.partition)
        .collect();
    ps.sort_unstable();
    ps
}

/// Polls the core consumer (it only makes progress in the group while polled) and drains the
/// Java member's reports until `done` holds or 90 s passed; returns the records the core read.
async fn run_until(
    consumer: &Consumer,
    java: &mut JavaMember,
    what: &str,
    mut done: impl FnMut(&Consumer, &JavaMember, usize) -> bool,
) -> Vec<ConsumerRecord> {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut read = Vec::new();
    loop {
        let batch = consumer
            .poll(Duration::from_millis(100))
            .await
            .expect("core poll");
        if !batch.is_empty() {
            read.extend(batch);
            consumer.commit_sync(None).await.expect("core commit");
        }
        java.drain(Duration::ZERO);
        if done(consumer, java, read.len()) {
            return read;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: timed out; core owns {:?}, Java owns {:?}, core read {}, Java read {}; Java events: {:?}",
            owned_by_core(consumer),
            java.owned(),
            read.len(),
            java.records().len(),
            java.events
        );
    }
}

async fn produce(topic: &str, from: usize, to: usize) {
    let producer = Producer::new(common::config(&[("linger.ms", "5")])).unwrap();
    let futs: Vec<_> = (from..to)
        .map(|i| {
            producer.send(ProducerRecord::new(topic, format!("v{i}")).with_key(format!("k{i}")))
        })
        .collect();
    for f in futs {
        f.await.expect("delivered");
    }
    producer.close(Duration::from_secs(10)).await.unwrap();
}

fn split_is_complete(core: &[i32], java: &[i32]) -> bool {
    let union: BTreeSet<i32> = core.iter().chain(java).copied().collect();
    !core.is_empty()
        && !java.is_empty()
        && core.len() + java.len() == PARTITIONS as usize
        && union.len() == PARTITIONS as usize
}

async fn shared_group(assignor: &str, java_first: bool) {
    let cluster = common::cluster().await;
    let topic = common::topic_name(&format!("xgroup-{assignor}"));
    common::create_topic(&cluster, &topic, PARTITIONS).await;
    let group = common::topic_name("xgroup");
    let consumer = Consumer::new(common::config(&[
        ("group.id", group.as_str()),
        ("partition.assignment.strategy", assignor),
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
        ("heartbeat.interval.ms", "500"),
        ("session.timeout.ms", "10000"),
    ]))
    .unwrap();
    let bootstrap = common::bootstrap();
    let all: Vec<i32> = (0..PARTITIONS).collect();

    // The first member alone owns every partition, then the second joins.
    let mut java;
    if java_first {
        java = JavaMember::start(&bootstrap, &topic, &group, assignor);
        let deadline = std::time::Instant::now() + Duration::from_secs(90);
        while java.owned() != all {
            assert!(
                std::time::Instant::now() < deadline,
                "Java never got the partitions: {:?}",
                java.events
            );
            java.drain(Duration::from_millis(200));
        }
        consumer.subscribe(&[topic.as_str()]).unwrap();
    } else {
        consumer.subscribe(&[topic.as_str()]).unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        while owned_by_core(&consumer) != all {
            assert!(
                Instant::now() < deadline,
                "the core never got the partitions"
            );
            consumer
                .poll(Duration::from_millis(100))
                .await
                .expect("poll");
        }
        java = JavaMember::start(&bootstrap, &topic, &group, assignor);
    }
    let early = run_until(&consumer, &mut java, "split", |c, j, _| {
        split_is_complete(&owned_by_core(c), &j.owned())
    })
    .await;
    assert!(early.is_empty(), "nothing was produced yet");
    let core_parts = owned_by_core(&consumer);
    let java_parts = java.owned();
    assert_eq!(
        core_parts.len(),
        3,
        "{assignor}: an even split, core {core_parts:?} Java {java_parts:?}"
    );
    assert_eq!(
        java_parts.len(),
        3,
        "{assignor}: an even split, core {core_parts:?} Java {java_parts:?}"
    );
    if assignor == "range" {
        // Range hands each member a contiguous block, the first member id taking the lower one.
        for ps in [&core_parts, &java_parts] {
            assert!(
                ps == &vec![0, 1, 2] || ps == &vec![3, 4, 5],
                "{assignor}: contiguous blocks, got {ps:?}"
            );
        }
    }
    if assignor == "cooperative-sticky" && java_first {
        // Cooperative: the incumbent gives up only what moves, it never revokes everything.
        let revoked_all = java
            .events
            .iter()
            .any(|e| matches!(e, GroupEvent::Revoked(ps) if ps.len() == PARTITIONS as usize));
        assert!(
            !revoked_all,
            "cooperative: Java revoked every partition: {:?}",
            java.events
        );
    }

    produce(&topic, 0, RECORDS).await;
    let core_read = run_until(&consumer, &mut java, "consume", |_, j, n| {
        n + j.records().len() >= RECORDS
    })
    .await;
    // Anything read twice would show up now.
    let extra = run_until(&consumer, &mut java, "settle", {
        let until = std::time::Instant::now() + Duration::from_secs(2);
        move |_, _, _| std::time::Instant::now() >= until
    })
    .await;
    let mut by_value: HashMap<String, Vec<&str>> = HashMap::new();
    for r in core_read.iter().chain(&extra) {
        assert!(
            core_parts.contains(&r.partition),
            "core read partition {} it does not own",
            r.partition
        );
        let v = String::from_utf8(r.value.as_ref().unwrap().to_vec()).unwrap();
        by_value.entry(v).or_default().push("core");
    }
    let java_records = java.records();
    for (p, _, v) in &java_records {
        assert!(
            java_parts.contains(p),
            "Java read partition {p} it does not own"
        );
        let v = String::from_utf8(v.clone().unwrap()).unwrap();
        by_value.entry(v).or_default().push("java");
    }
    assert!(
        !core_read.is_empty() && !java_records.is_empty(),
        "both members read records"
    );
    for i in 0..RECORDS {
        let readers = by_value.get(&format!("v{i}")).cloned().unwrap_or_default();
        assert_eq!(
            readers.len(),
            1,
            "{assignor}: record v{i} read by {readers:?}"
        );
    }
    assert_eq!(by_value.len(), RECORDS, "no stray records");

    // The Java member leaves: the core takes over its partitions from Java's committed offsets.
    java.stop();
    run_until(&consumer, &mut java, "take over", |c, _, _| {
        owned_by_core(c) == all
    })
    .await;
    produce(&topic, RECORDS, RECORDS + MORE).await;
    let later = run_until(&consumer, &mut java, "after leave", |_, _, n| n >= MORE).await;
    let settle = run_until(&consumer, &mut java, "settle 2", {
        let until = std::time::Instant::now() + Duration::from_secs(2);
        move |_, _, _| std::time::Instant::now() >= until
    })
    .await;
    let mut values: Vec<String> = later
        .iter()
        .chain(&settle)
        .map(|r| String::from_utf8(r.value.as_ref().unwrap().to_vec()).unwrap())
        .collect();
    values.sort();
    let mut want: Vec<String> = (RECORDS..RECORDS + MORE).map(|i| format!("v{i}")).collect();
    want.sort();
    assert_eq!(
        values, want,
        "{assignor}: the core resumed from Java's commits: only the new records, once"
    );
    consumer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_java_leads_core_joins() {
    shared_group("range", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_core_leads_java_joins() {
    shared_group("range", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooperative_sticky_java_leads_core_joins() {
    shared_group("cooperative-sticky", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooperative_sticky_core_leads_java_joins() {
    shared_group("cooperative-sticky", false).await;
}

//! Consumer against a real broker (Apache Kafka or ours, see tests/common): groups, commits,
//! rebalances, static membership, churn.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ferrokafka_core::consumer::{Consumer, ConsumerRecord, RebalanceListener};
use ferrokafka_core::{Producer, ProducerRecord, TopicPartition};
use tokio::time::Instant;

fn consumer(group: &str, extra: &[(&str, &str)]) -> Consumer {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let mut kv = vec![
        ("group.id", group),
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
        ("heartbeat.interval.ms", "300"),
        ("session.timeout.ms", "10000"),
    ];
    kv.extend_from_slice(extra);
    Consumer::new(common::config(&kv)).expect("consumer")
}

async fn produce(topic: &str, from: usize, n: usize) {
    let p = Producer::new(common::config(&[("linger.ms", "1")])).unwrap();
    let futs: Vec<_> = (from..from + n)
        .map(|i| p.send(ProducerRecord::new(topic, format!("v{i}")).with_key(format!("k{i}"))))
        .collect();
    for f in futs {
        f.await.expect("delivered");
    }
    p.close(Duration::from_secs(10)).await.unwrap();
}

/// Polls until `n` records arrived (or 60 s passed).
async fn poll_n(c: &Consumer, n: usize) -> Vec<ConsumerRecord> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut out = Vec::new();
    while out.len() < n && Instant::now() < deadline {
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
async fn group_consumes_from_beginning_and_resumes_at_committed_offset() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("cg-resume");
    common::create_topic(&cluster, &topic, 3).await;
    produce(&topic, 0, 30).await;
    let group = common::topic_name("g");
    let c = consumer(&group, &[]);
    c.subscribe(&[&topic]).unwrap();
    let got = poll_n(&c, 30).await;
    assert_eq!(got.len(), 30, "every record once");
    assert_eq!(values(&got), (0..30).map(|i| format!("v{i}")).collect());
    assert_eq!(c.assignment().len(), 3);
    let r = &got[0];
    assert!(r.timestamp > 0);
    assert!(r.key.as_ref().unwrap().starts_with(b"k"));
    c.commit_sync(None).await.unwrap();
    let committed = c.committed(&c.assignment()).await.unwrap();
    assert_eq!(committed.values().map(|o| o.offset).sum::<i64>(), 30);
    assert!(c.metrics().records_consumed_total >= 30);
    c.close().await.unwrap();

    produce(&topic, 30, 10).await;
    let c2 = consumer(&group, &[]);
    c2.subscribe(&[&topic]).unwrap();
    let got = poll_n(&c2, 10).await;
    assert_eq!(
        values(&got),
        (30..40).map(|i| format!("v{i}")).collect(),
        "resumed at committed offsets"
    );
    let extra = c2.poll(Duration::from_millis(500)).await.unwrap();
    assert!(
        extra.is_empty(),
        "nothing before the committed offsets is re-read"
    );
    c2.close().await.unwrap();
}

#[derive(Default)]
struct Recorder {
    assigned: Mutex<Vec<TopicPartition>>,
    revoked: Mutex<Vec<TopicPartition>>,
}

impl RebalanceListener for Recorder {
    fn on_partitions_assigned(&self, p: &[TopicPartition]) {
        self.assigned.lock().unwrap().extend_from_slice(p);
    }
    fn on_partitions_revoked(&self, p: &[TopicPartition]) {
        self.revoked.lock().unwrap().extend_from_slice(p);
    }
}

async fn two_consumers_split(strategy: &str) {
    let cluster = common::cluster().await;
    let topic = common::topic_name(&format!("split-{strategy}"));
    common::create_topic(&cluster, &topic, 4).await;
    produce(&topic, 0, 40).await;
    let group = common::topic_name("g");
    let extra = [("partition.assignment.strategy", strategy)];
    let (c1, c2) = (consumer(&group, &extra), consumer(&group, &extra));
    let (l1, l2) = (Arc::new(Recorder::default()), Arc::new(Recorder::default()));
    c1.subscribe_with_listener(&[&topic], l1.clone()).unwrap();
    let first = poll_n(&c1, 1).await;
    assert!(!first.is_empty());
    assert_eq!(
        c1.assignment().len(),
        4,
        "a lone member gets every partition"
    );
    c2.subscribe_with_listener(&[&topic], l2.clone()).unwrap();
    // Each consumer polls on its own task, as applications do (a rebalance blocks in poll).
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let loops: Vec<_> = [c1.clone(), c2.clone()]
        .into_iter()
        .map(|c| {
            let stop = stop.clone();
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    c.poll(Duration::from_millis(200)).await.expect("poll");
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (s1, s2) = (c1.assignment(), c2.assignment());
        if s1.len() == 2 && s2.len() == 2 {
            let all: HashSet<_> = s1.iter().chain(&s2).collect();
            assert_eq!(all.len(), 4, "{strategy}: disjoint and complete");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{strategy}: no split: {s1:?} {s2:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for l in loops {
        l.await.unwrap();
    }
    assert!(
        l1.assigned.lock().unwrap().len() >= 4,
        "{strategy}: assigned callback fired"
    );
    assert!(
        !l1.revoked.lock().unwrap().is_empty(),
        "{strategy}: revoked callback fired"
    );
    assert_eq!(l2.assigned.lock().unwrap().len(), 2);
    if strategy == "cooperative-sticky" {
        assert_eq!(
            l1.revoked.lock().unwrap().len(),
            2,
            "cooperative: only the moved partitions are revoked"
        );
    }
    c1.close().await.unwrap();
    c2.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumers_split_partitions_range() {
    two_consumers_split("range").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumers_split_partitions_cooperative_sticky() {
    two_consumers_split("cooperative-sticky").await;
}

/// spring-kafka's listener containers stop with unsubscribe() then close(): the member must
/// still leave the group (as Java's client does), or the group's next join waits for its
/// session timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_after_unsubscribe_leaves_the_group() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("unsub-close");
    common::create_topic(&cluster, &topic, 2).await;
    produce(&topic, 0, 2).await;
    let group = common::topic_name("g");
    let c = consumer(&group, &[("session.timeout.ms", "45000")]);
    c.subscribe(&[&topic]).unwrap();
    poll_n(&c, 2).await;
    assert!(c.generation() >= 1, "joined");
    let admin = ferrokafka_core::admin::Admin::new(common::config(&[])).unwrap();
    assert_eq!(admin.describe_group(&group).await.unwrap().members.len(), 1);
    c.unsubscribe();
    c.close().await.unwrap();
    let d = admin.describe_group(&group).await.unwrap();
    assert!(d.members.is_empty(), "the member left on close: {d:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsubscribe_leaves_the_group() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("unsub");
    common::create_topic(&cluster, &topic, 2).await;
    produce(&topic, 0, 2).await;
    let group = common::topic_name("g");
    let c = consumer(&group, &[("session.timeout.ms", "45000")]);
    let listener = Arc::new(Recorder::default());
    c.subscribe_with_listener(&[&topic], listener.clone())
        .unwrap();
    poll_n(&c, 2).await;
    let admin = ferrokafka_core::admin::Admin::new(common::config(&[])).unwrap();
    assert_eq!(admin.describe_group(&group).await.unwrap().members.len(), 1);
    let revoked_before = listener.revoked.lock().unwrap().len();
    c.unsubscribe();
    assert_eq!(
        listener.revoked.lock().unwrap().len(),
        revoked_before,
        "the bindings call their listeners on unsubscribe as their libraries do, not the core"
    );
    assert!(c.assignment().is_empty());
    // The LeaveGroup goes out in the background: the group empties well before the 45 s
    // session timeout would have removed the member.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let d = admin.describe_group(&group).await.unwrap();
        if d.members.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still a member: {d:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_member_rejoins_without_rebalance() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("static");
    common::create_topic(&cluster, &topic, 2).await;
    produce(&topic, 0, 4).await;
    let group = common::topic_name("g");
    let c = consumer(&group, &[("group.instance.id", "instance-a")]);
    c.subscribe(&[&topic]).unwrap();
    poll_n(&c, 1).await;
    let generation = c.generation();
    assert!(generation >= 1);
    c.close().await.unwrap(); // a static member does not send LeaveGroup
    let c2 = consumer(&group, &[("group.instance.id", "instance-a")]);
    c2.subscribe(&[&topic]).unwrap();
    poll_n(&c2, 1).await;
    assert_eq!(
        c2.generation(),
        generation,
        "rejoining static member keeps the generation"
    );
    assert_eq!(c2.assignment().len(), 2);
    c2.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_with_manual_commits_processes_every_record() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("churn");
    common::create_topic(&cluster, &topic, 6).await;
    let group = common::topic_name("g");
    let total = 600;
    let producer = tokio::spawn({
        let topic = topic.clone();
        async move {
            for chunk in 0..6 {
                produce(&topic, chunk * 100, 100).await;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    });
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let mut tasks = Vec::new();
    for (i, lifetime) in [(0, 8u64), (1, 3), (2, 5)] {
        let (group, topic, seen) = (group.clone(), topic.clone(), seen.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(700 * i)).await;
            let strategy = "cooperative-sticky";
            let c = consumer(&group, &[("partition.assignment.strategy", strategy)]);
            c.subscribe(&[&topic]).unwrap();
            let until = Instant::now() + Duration::from_secs(lifetime);
            while Instant::now() < until {
                let rs = c.poll(Duration::from_millis(200)).await.unwrap();
                let mut offs = BTreeMap::new();
                for r in &rs {
                    seen.lock()
                        .unwrap()
                        .insert(String::from_utf8(r.value.as_ref().unwrap().to_vec()).unwrap());
                    offs.insert(
                        r.topic_partition(),
                        ferrokafka_core::consumer::OffsetAndMetadata::new(r.offset + 1),
                    );
                }
                if !offs.is_empty() {
                    let _ = c.commit_sync(Some(offs)).await; // may fail during a rebalance: at least once
                }
            }
            c.close().await.ok();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    producer.await.unwrap();
    // A final consumer picks up whatever was not committed.
    let c = consumer(
        &group,
        &[("partition.assignment.strategy", "cooperative-sticky")],
    );
    c.subscribe(&[&topic]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.lock().unwrap().len() < total && Instant::now() < deadline {
        for r in c.poll(Duration::from_millis(300)).await.unwrap() {
            seen.lock()
                .unwrap()
                .insert(String::from_utf8(r.value.as_ref().unwrap().to_vec()).unwrap());
        }
    }
    c.close().await.unwrap();
    assert_eq!(
        seen.lock().unwrap().len(),
        total,
        "every record processed at least once"
    );
}

//! Consumer rebalances under load against a real broker (Apache Kafka or ours, see
//! tests/common): with cooperative-sticky the partitions that do not move keep being consumed
//! while the group rebalances; in eager mode poll still returns within its timeout; and a
//! churning group with manual commits processes every record at least once.
//!
//! A rebalance is held open on purpose by a third member (`slow`, subscribed to another topic)
//! that stops polling for a while: the coordinator waits for every member to rejoin, so the
//! window between the new member's subscribe and its first assignment is long (seconds), and
//! what the other member does inside it is observable without tight timing.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ferrokafka_core::consumer::{Consumer, OffsetAndMetadata, RebalanceListener};
use ferrokafka_core::{Producer, ProducerRecord, TopicPartition};
use tokio::task::JoinHandle;
use tokio::time::Instant;

const PARTITIONS: i32 = 6;
/// How long the slow member stays away, holding the rebalance open.
const SLOW_MEMBER_PAUSE: Duration = Duration::from_secs(12);
/// The poll timeout used by the observed member.
const POLL_TIMEOUT: Duration = Duration::from_millis(200);
/// Allowed overshoot of a poll call on a loaded machine; far below `SLOW_MEMBER_PAUSE`, so a
/// poll that waited for the rebalance would exceed it.
const POLL_SLACK: Duration = Duration::from_secs(5);
/// Generous bound for anything that should happen "soon".
const SETTLE: Duration = Duration::from_secs(90);

fn consumer(group: &str, strategy: &str) -> Consumer {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    Consumer::new(common::config(&[
        ("group.id", group),
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
        ("heartbeat.interval.ms", "300"),
        ("session.timeout.ms", "10000"),
        ("partition.assignment.strategy", strategy),
    ]))
    .expect("consumer")
}

/// Writes records `v0`, `v1`, ... round-robin over every partition until `stop` (or `limit`
/// records); returns how many were acknowledged.
fn spawn_producer(topic: String, stop: Arc<AtomicBool>, limit: usize) -> JoinHandle<usize> {
    tokio::spawn(async move {
        let p = Producer::new(common::config(&[("linger.ms", "2")])).expect("producer");
        let mut n = 0usize;
        while n < limit && !stop.load(Ordering::SeqCst) {
            let futs: Vec<_> = (n..(n + 30).min(limit))
                .map(|i| {
                    p.send(
                        ProducerRecord::new(topic.as_str(), format!("v{i}"))
                            .with_partition((i % PARTITIONS as usize) as i32),
                    )
                })
                .collect();
            let sent = futs.len();
            for f in futs {
                f.await.expect("delivered");
            }
            n += sent;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        p.close(Duration::from_secs(10))
            .await
            .expect("producer close");
        n
    })
}

/// Records when callbacks fire.
#[derive(Default)]
struct Timeline {
    assigned: Mutex<Vec<(Instant, Vec<TopicPartition>)>>,
    revoked: Mutex<Vec<(Instant, Vec<TopicPartition>)>>,
    lost: AtomicUsize,
}

impl Timeline {
    fn first_assigned_after(&self, t: Instant) -> Option<Instant> {
        self.assigned
            .lock()
            .unwrap()
            .iter()
            .map(|(at, _)| *at)
            .find(|at| *at >= t)
    }
    fn revoked_partitions_after(&self, t: Instant) -> Vec<TopicPartition> {
        self.revoked
            .lock()
            .unwrap()
            .iter()
            .filter(|(at, _)| *at >= t)
            .flat_map(|(_, p)| p.clone())
            .collect()
    }
}

impl RebalanceListener for Timeline {
    fn on_partitions_assigned(&self, p: &[TopicPartition]) {
        self.assigned
            .lock()
            .unwrap()
            .push((Instant::now(), p.to_vec()));
    }
    fn on_partitions_revoked(&self, p: &[TopicPartition]) {
        self.revoked
            .lock()
            .unwrap()
            .push((Instant::now(), p.to_vec()));
    }
    fn on_partitions_lost(&self, _p: &[TopicPartition]) {
        self.lost.fetch_add(1, Ordering::SeqCst);
    }
}

/// What a polling loop observed.
#[derive(Default)]
struct PollLog {
    /// (when poll returned, partition) per record.
    records: Vec<(Instant, i32)>,
    /// (when poll started, how long it took) per call.
    calls: Vec<(Instant, Duration)>,
}

/// Polls `c` with [`POLL_TIMEOUT`] until `stop`, logging every call; while `pause` is set it
/// does not poll at all (a member busy elsewhere).
fn spawn_poller(
    c: Consumer,
    stop: Arc<AtomicBool>,
    pause: Arc<AtomicBool>,
    log: Arc<Mutex<PollLog>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(Ordering::SeqCst) {
            if pause.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            let started = Instant::now();
            let rs = c.poll(POLL_TIMEOUT).await.expect("poll");
            let returned = Instant::now();
            let mut l = log.lock().unwrap_or_else(|p| p.into_inner());
            l.calls.push((started, returned - started));
            l.records.extend(rs.iter().map(|r| (returned, r.partition)));
        }
    })
}

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + SETTLE;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The scenario of both rebalance tests: `a` owns every partition of a busy topic, `slow`
/// is a member on another topic; `slow` stops polling, `b` joins, and after
/// [`SLOW_MEMBER_PAUSE`] `slow` comes back so the rebalance can finish.
struct Scenario {
    a: Consumer,
    b: Consumer,
    slow: Consumer,
    a_events: Arc<Timeline>,
    b_events: Arc<Timeline>,
    a_log: Arc<Mutex<PollLog>>,
    b_subscribed: Instant,
    stop: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<()>>,
    producer: JoinHandle<usize>,
}

async fn run_scenario(strategy: &str) -> Scenario {
    let cluster = common::cluster().await;
    let topic = common::topic_name(&format!("coop-{strategy}"));
    let other = common::topic_name("coop-other");
    common::create_topic(&cluster, &topic, PARTITIONS).await;
    common::create_topic(&cluster, &other, 1).await;
    let group = common::topic_name("g");
    let stop = Arc::new(AtomicBool::new(false));
    let producer = spawn_producer(topic.clone(), stop.clone(), usize::MAX);

    let (a, b, slow) = (
        consumer(&group, strategy),
        consumer(&group, strategy),
        consumer(&group, strategy),
    );
    let (a_events, b_events) = (Arc::new(Timeline::default()), Arc::new(Timeline::default()));
    let a_log = Arc::new(Mutex::new(PollLog::default()));
    let never = Arc::new(AtomicBool::new(false));
    let slow_paused = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();

    a.subscribe_with_listener(&[&topic], a_events.clone())
        .unwrap();
    tasks.push(spawn_poller(
        a.clone(),
        stop.clone(),
        never.clone(),
        a_log.clone(),
    ));
    slow.subscribe(&[&other]).unwrap();
    tasks.push(spawn_poller(
        slow.clone(),
        stop.clone(),
        slow_paused.clone(),
        Arc::new(Mutex::new(PollLog::default())),
    ));
    wait_until(
        "a owns every partition and consumes, slow owns its topic",
        || {
            a.assignment().len() == PARTITIONS as usize
                && slow.assignment().len() == 1
                && a.generation() == slow.generation()
                && !a_log.lock().unwrap().records.is_empty()
        },
    )
    .await;
    // Let the group settle, then take `slow` away and let `b` in.
    tokio::time::sleep(Duration::from_secs(1)).await;
    slow_paused.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let b_subscribed = Instant::now();
    b.subscribe_with_listener(&[&topic], b_events.clone())
        .unwrap();
    tasks.push(spawn_poller(
        b.clone(),
        stop.clone(),
        never,
        Arc::new(Mutex::new(PollLog::default())),
    ));
    tokio::time::sleep(SLOW_MEMBER_PAUSE).await;
    assert!(
        b_events.first_assigned_after(b_subscribed).is_none(),
        "the rebalance must still wait for the slow member (it holds the window open)"
    );
    slow_paused.store(false, Ordering::SeqCst);

    let half = (PARTITIONS / 2) as usize;
    wait_until("a and b split the topic", || {
        a.assignment().len() == half && b.assignment().len() == half
    })
    .await;
    Scenario {
        a,
        b,
        slow,
        a_events,
        b_events,
        a_log,
        b_subscribed,
        stop,
        tasks,
        producer,
    }
}

impl Scenario {
    async fn finish(self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.tasks {
            t.await.expect("poll loop");
        }
        assert!(self.producer.await.unwrap() > 0);
        for c in [self.a, self.b, self.slow] {
            c.close().await.expect("close");
        }
    }

    /// No poll call of `a` took much longer than its timeout.
    fn assert_polls_honoured_timeout(&self) {
        let log = self.a_log.lock().unwrap();
        let worst = log.calls.iter().map(|(_, d)| *d).max().unwrap_or_default();
        assert!(
            worst <= POLL_TIMEOUT + POLL_SLACK,
            "a poll call took {worst:?} with a timeout of {POLL_TIMEOUT:?} (the rebalance was held open for {SLOW_MEMBER_PAUSE:?})"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooperative_keeps_consuming_retained_partitions_during_rebalance() {
    let s = run_scenario("cooperative-sticky").await;
    let b_first = s
        .b_events
        .first_assigned_after(s.b_subscribed)
        .expect("b's on_partitions_assigned fired");
    let retained: BTreeSet<i32> = s.a.assignment().iter().map(|tp| tp.partition).collect();
    let moved: BTreeSet<i32> = s.b.assignment().iter().map(|tp| tp.partition).collect();
    assert_eq!(retained.len() + moved.len(), PARTITIONS as usize);
    assert!(retained.is_disjoint(&moved));

    {
        let log = s.a_log.lock().unwrap();
        let calls_in_window = log
            .calls
            .iter()
            .filter(|(at, _)| *at > s.b_subscribed && *at < b_first)
            .count();
        assert!(
            calls_in_window > 5,
            "a kept polling during the rebalance ({calls_in_window} calls)"
        );
        for p in &retained {
            let n = log
                .records
                .iter()
                .filter(|(at, part)| part == p && *at > s.b_subscribed && *at < b_first)
                .count();
            assert!(
                n > 0,
                "retained partition {p} delivered no record between b's subscribe and b's first assignment"
            );
        }
    }
    s.assert_polls_honoured_timeout();

    let revoked: BTreeSet<i32> = s
        .a_events
        .revoked_partitions_after(s.b_subscribed)
        .iter()
        .map(|tp| tp.partition)
        .collect();
    assert_eq!(
        revoked, moved,
        "cooperative: a revokes exactly the partitions that moved to b"
    );
    assert_eq!(s.a_events.lost.load(Ordering::SeqCst), 0, "nothing lost");
    let b_assigned: BTreeSet<i32> = s
        .b_events
        .assigned
        .lock()
        .unwrap()
        .iter()
        .flat_map(|(_, ps)| ps.iter().map(|tp| tp.partition))
        .collect();
    assert_eq!(b_assigned, moved, "b was told about what it got");
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eager_poll_returns_within_timeout_during_rebalance() {
    let s = run_scenario("range").await;
    let b_first = s
        .b_events
        .first_assigned_after(s.b_subscribed)
        .expect("b's on_partitions_assigned fired");
    let a_revoked_at = {
        let r = s.a_events.revoked.lock().unwrap();
        let (at, parts) = r
            .iter()
            .find(|(at, _)| *at > s.b_subscribed)
            .expect("a's on_partitions_revoked fired after b subscribed")
            .clone();
        assert_eq!(
            parts.len(),
            PARTITIONS as usize,
            "eager: everything is revoked before rejoining"
        );
        at
    };
    assert!(
        a_revoked_at < b_first,
        "a revoked during the rebalance b started"
    );
    let a_reassigned = s
        .a_events
        .first_assigned_after(a_revoked_at)
        .expect("a was assigned again");
    {
        let log = s.a_log.lock().unwrap();
        let calls = log
            .calls
            .iter()
            .filter(|(at, _)| *at > a_revoked_at && *at < a_reassigned)
            .count();
        assert!(
            calls > 5,
            "a's poll kept returning while the rebalance was held open ({calls} calls)"
        );
        let stray = log
            .records
            .iter()
            .filter(|(at, _)| *at > a_revoked_at && *at < a_reassigned)
            .count();
        assert_eq!(stray, 0, "eager: nothing is returned while a owns nothing");
    }
    s.assert_polls_honoured_timeout();
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooperative_churn_with_manual_commits_processes_every_record() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("coop-churn");
    common::create_topic(&cluster, &topic, PARTITIONS).await;
    let group = common::topic_name("g");
    let total = 3000usize;
    let stop = Arc::new(AtomicBool::new(false));
    let producer = spawn_producer(topic.clone(), stop.clone(), total);
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let commits = Arc::new(AtomicUsize::new(0));

    // (start after, stay for): each joins and leaves while the others run, one comes back.
    let schedule = [(0u64, 16u64), (2, 5), (4, 6), (9, 5)];
    let mut members = Vec::new();
    for (start, stay) in schedule {
        let (group, topic, seen, commits) =
            (group.clone(), topic.clone(), seen.clone(), commits.clone());
        members.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(start)).await;
            let c = consumer(&group, "cooperative-sticky");
            c.subscribe(&[&topic]).unwrap();
            let until = Instant::now() + Duration::from_secs(stay);
            while Instant::now() < until {
                let rs = c.poll(POLL_TIMEOUT).await.expect("poll");
                let mut offsets = BTreeMap::new();
                for r in &rs {
                    // "Processing": remember the value, then commit what was processed.
                    seen.lock()
                        .unwrap()
                        .insert(String::from_utf8(r.value.as_ref().unwrap().to_vec()).unwrap());
                    offsets.insert(r.topic_partition(), OffsetAndMetadata::new(r.offset + 1));
                }
                if !offsets.is_empty() && c.commit_sync(Some(offsets)).await.is_ok() {
                    commits.fetch_add(1, Ordering::SeqCst);
                }
                // A failed commit (rebalance in progress) only means reprocessing: at least once.
            }
            c.close().await.expect("close");
        }));
    }
    for m in members {
        m.await.expect("member");
    }
    let produced = producer.await.unwrap();
    assert_eq!(produced, total);
    assert!(commits.load(Ordering::SeqCst) > 0, "commits succeeded");

    // Whatever was processed but not committed is read again by a new member from the
    // committed offsets; nothing may be missing.
    let last = consumer(&group, "cooperative-sticky");
    last.subscribe(&[&topic]).unwrap();
    let parts: Vec<TopicPartition> = (0..PARTITIONS)
        .map(|p| TopicPartition::new(topic.as_str(), p))
        .collect();
    let end = last.end_offsets(&parts).await.unwrap();
    let deadline = Instant::now() + SETTLE;
    let mut caught_up = false;
    while Instant::now() < deadline {
        let rs = last.poll(POLL_TIMEOUT).await.expect("poll");
        let mut offsets = BTreeMap::new();
        for r in &rs {
            seen.lock()
                .unwrap()
                .insert(String::from_utf8(r.value.as_ref().unwrap().to_vec()).unwrap());
            offsets.insert(r.topic_partition(), OffsetAndMetadata::new(r.offset + 1));
        }
        if !offsets.is_empty() {
            last.commit_sync(Some(offsets)).await.ok();
        }
        if rs.is_empty() && seen.lock().unwrap().len() >= total {
            // Quiet and complete: everything processed must now be committed.
            let committed = last.committed(&parts).await.unwrap();
            if parts
                .iter()
                .all(|tp| committed.get(tp).map(|o| o.offset) == end.get(tp).copied())
            {
                caught_up = true;
                break;
            }
        }
    }
    let seen = seen.lock().unwrap().clone();
    let missing: Vec<usize> = (0..total)
        .filter(|i| !seen.contains(&format!("v{i}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{} records never processed, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
    assert_eq!(seen.len(), total, "only produced values were seen");

    assert!(
        caught_up,
        "the group's committed offsets reach the end of every partition: {:?} vs {end:?}",
        last.committed(&parts).await.unwrap()
    );
    last.close().await.unwrap();
}

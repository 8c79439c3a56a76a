//! Timeouts of the consumer against a real broker: `poll` returns within its timeout while
//! the work it starts (position resets, a pattern's metadata lookup) cannot complete, and the
//! records come once it can; blocking calls given no timeout honour `default.api.timeout.ms`.
//!
//! "Cannot complete" is a connection that delivers no responses (the broker gets the requests,
//! the answers are held) or a listener that never answers. Every bound checked is generous:
//! poll(200 ms) must return within 5 s where the stalled step would take 30 s or more.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ferrokafka_core::consumer::{Consumer, ConsumerRecord};
use ferrokafka_core::{Admin, ErrorKind, Producer, ProducerRecord, TopicPartition};
use tokio::time::{timeout, Instant};

/// Where "returns within its timeout" is checked: far above any poll timeout used here, far
/// below the 30 s a request to a silent broker takes to time out.
const MARGIN: Duration = Duration::from_secs(5);

async fn produce(topic: &str, n: usize) {
    let p = Producer::new(common::config(&[])).unwrap();
    let futs: Vec<_> = (0..n)
        .map(|i| p.send(ProducerRecord::new(topic, format!("v{i}")).with_partition(0)))
        .collect();
    for f in futs {
        f.await.expect("delivered");
    }
    p.close(Duration::from_secs(10)).await.unwrap();
}

/// Polls (200 ms each) until `n` records arrived or 60 s passed.
async fn poll_n(c: &Consumer, n: usize) -> Vec<ConsumerRecord> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut out = Vec::new();
    while out.len() < n && Instant::now() < deadline {
        out.extend(c.poll(Duration::from_millis(200)).await.expect("poll"));
    }
    out
}

/// Polls `times` times with a 200 ms timeout; each must return (empty) within [`MARGIN`].
async fn polls_return_empty_in_time(c: &Consumer, times: usize) {
    for i in 0..times {
        let got = timeout(MARGIN, c.poll(Duration::from_millis(200)))
            .await
            .unwrap_or_else(|_| panic!("poll #{i} overran its 200 ms timeout by more than 5 s"))
            .expect("poll");
        assert!(got.is_empty(), "no responses are delivered, so no records");
    }
}

async fn topic_with_records(prefix: &str, n: usize) -> (String, TopicPartition) {
    let cluster = common::cluster().await;
    let topic = common::topic_name(prefix);
    common::create_topic(&cluster, &topic, 1).await;
    produce(&topic, n).await;
    let tp = TopicPartition::new(topic.as_str(), 0);
    (topic, tp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_returns_while_the_position_lookup_is_pending() {
    let (topic, tp) = topic_with_records("poll-reset", 5).await;
    let connector = Arc::new(common::FaultyConnector::default());
    let group = common::topic_name("g");
    let c = Consumer::with_connector(
        common::config(&[
            ("group.id", &group),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
        ]),
        connector.clone(),
    )
    .unwrap();
    // Warm up metadata and connections, then hold every response: the OffsetFetch and
    // ListOffsets of the position reset stay pending (request.timeout.ms is 30 s).
    assert!(c.list_topics(false).await.unwrap().contains_key(&topic));
    connector.pause();
    c.assign(vec![tp.clone()]).unwrap();
    polls_return_empty_in_time(&c, 5).await;
    assert_eq!(
        c.position_with_timeout(&tp, Duration::from_millis(300))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Timeout
    );
    connector.resume();
    let records = poll_n(&c, 5).await;
    let offsets: Vec<i64> = records.iter().map(|r| r.offset).collect();
    assert_eq!(
        offsets,
        vec![0, 1, 2, 3, 4],
        "the reset completed after all"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_position_lookup_is_retried_by_later_polls() {
    let (_topic, tp) = topic_with_records("poll-retry", 3).await;
    let connector = Arc::new(common::FaultyConnector::default());
    // Requests give up after 1 s and the lookup after 1.5 s, while responses are held for
    // longer: the first lookups fail, a later poll must start another one.
    let c = Consumer::with_connector(
        common::config(&[
            ("auto.offset.reset", "earliest"),
            ("request.timeout.ms", "1000"),
            ("default.api.timeout.ms", "1500"),
        ]),
        connector.clone(),
    )
    .unwrap();
    c.list_topics(false).await.unwrap();
    connector.pause();
    c.assign(vec![tp.clone()]).unwrap();
    let stalled_until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < stalled_until {
        polls_return_empty_in_time(&c, 1).await;
    }
    connector.resume();
    let records = poll_n(&c, 3).await;
    assert_eq!(records.len(), 3, "the partition got a position after all");
    assert_eq!(records[0].offset, 0);
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_returns_while_a_pattern_subscription_is_being_resolved() {
    let (topic, _tp) = topic_with_records("poll-pattern", 4).await;
    let connector = Arc::new(common::FaultyConnector::default());
    let group = common::topic_name("g");
    let c = Consumer::with_connector(
        common::config(&[("group.id", &group), ("auto.offset.reset", "earliest")]),
        connector.clone(),
    )
    .unwrap();
    // Nothing answers from the start: the Metadata request for every topic is pending.
    connector.pause();
    c.subscribe_pattern(&format!("{}.*", regex_escape(&topic)))
        .unwrap();
    polls_return_empty_in_time(&c, 5).await;
    assert!(c.subscription().is_empty(), "not resolved yet");
    connector.resume();
    let records = poll_n(&c, 4).await;
    assert_eq!(records.len(), 4);
    assert_eq!(c.subscription(), vec![topic.clone()]);
    c.close().await.unwrap();
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_string()
            } else {
                format!("\\{ch}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_calls_honour_default_api_timeout_against_a_real_broker() {
    let c = Consumer::new(common::config(&[("default.api.timeout.ms", "1000")])).unwrap();
    // A topic that does not exist: metadata keeps saying UNKNOWN_TOPIC_OR_PARTITION, which is
    // retriable, so only the deadline ends the call (60 s with Java's default).
    let missing = TopicPartition::new(common::topic_name("missing").as_str(), 0);
    let e = timeout(
        Duration::from_secs(20),
        c.end_offsets(std::slice::from_ref(&missing)),
    )
    .await
    .expect("end_offsets bounded by default.api.timeout.ms")
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    let e = timeout(
        Duration::from_secs(20),
        c.beginning_offsets_with_timeout(&[missing], Duration::from_millis(500)),
    )
    .await
    .expect("an explicit timeout wins")
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    // Calls that can complete still do.
    c.list_topics(false).await.expect("list_topics");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_calls_against_a_silent_broker_end_at_default_api_timeout() {
    let silent = common::silent_broker().await;
    let cfg = ferrokafka_core::ClientConfig::from_pairs([
        ("bootstrap.servers", silent.as_str()),
        ("group.id", "silent"),
        ("default.api.timeout.ms", "500"),
    ])
    .unwrap();
    let c = Consumer::new(cfg).unwrap();
    let tp = TopicPartition::new("t", 0);
    c.assign(vec![tp.clone()]).unwrap();
    let bound = Duration::from_secs(10); // the silent broker would hold each call for 30 s+
    let kind = |r: Result<ferrokafka_core::Result<()>, _>| match r {
        Ok(Err(e)) => e.kind(),
        Ok(Ok(())) => panic!("a silent broker cannot answer"),
        Err(_) => panic!("the call outlived default.api.timeout.ms by more than 10 s"),
    };
    let committed = timeout(bound, async {
        c.committed(std::slice::from_ref(&tp)).await.map(|_| ())
    })
    .await;
    assert_eq!(kind(committed), ErrorKind::Timeout);
    let position = timeout(bound, async { c.position(&tp).await.map(|_| ()) }).await;
    assert_eq!(kind(position), ErrorKind::Timeout);
    let end = timeout(bound, async {
        c.end_offsets(std::slice::from_ref(&tp)).await.map(|_| ())
    })
    .await;
    assert_eq!(kind(end), ErrorKind::Timeout);
    let topics = timeout(bound, async { c.list_topics(false).await.map(|_| ()) }).await;
    assert_eq!(kind(topics), ErrorKind::Timeout);
    c.seek(&tp, 3).unwrap();
    let commit = timeout(bound, c.commit_sync(None)).await;
    assert_eq!(kind(commit), ErrorKind::Timeout);
    polls_return_empty_in_time(&c, 2).await;
    timeout(bound, c.close())
        .await
        .expect("close bounded by default.api.timeout.ms")
        .ok();

    // Admin: Java raises default.api.timeout.ms to request.timeout.ms when it is lower.
    let admin = Admin::new(
        ferrokafka_core::ClientConfig::from_pairs([
            ("bootstrap.servers", silent.as_str()),
            ("request.timeout.ms", "1000"),
            ("default.api.timeout.ms", "1000"),
        ])
        .unwrap(),
    )
    .unwrap();
    let listed = timeout(bound, admin.list_topics(false))
        .await
        .expect("admin bounded by default.api.timeout.ms");
    assert_eq!(listed.unwrap_err().kind(), ErrorKind::Timeout);
}

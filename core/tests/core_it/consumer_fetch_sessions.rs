//! The core's consumer fetches through incremental fetch sessions (KIP-227): one FULL fetch
//! opens a session, the fetches after it are INCREMENTAL. Checked from the consumer's own
//! counters (`full_fetch_total`, `incremental_fetch_total`) against the broker under test
//! (Apache Kafka by default, see `common`), and against our broker started in-process, where
//! the broker's session counters must tell the same story.

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use ferrokafka_broker::Broker;
use ferrokafka_core::consumer::{Consumer, ConsumerMetrics};
use ferrokafka_core::{ClientConfig, Cluster, Producer, ProducerRecord, TopicPartition};
use tokio::time::Instant;

const PARTITIONS: i32 = 10;
const PER_PARTITION: usize = 10;

fn client_config(bootstrap: &str, extra: &[(&str, &str)]) -> ClientConfig {
    let mut pairs = vec![
        ("bootstrap.servers".to_string(), bootstrap.to_string()),
        ("client.id".to_string(), "core-fetch-sessions".to_string()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ClientConfig::from_pairs(pairs).expect("valid test config")
}

/// Creates a topic on `bootstrap`, writes `PER_PARTITION` records to each partition, then
/// consumes every partition to the end with one assigned consumer and keeps polling at the
/// end until it has sent incremental fetches (bounded). Returns the consumer's metrics.
async fn consume_through_a_session(bootstrap: &str) -> ConsumerMetrics {
    let cluster = Cluster::connect(client_config(bootstrap, &[]))
        .await
        .expect("cluster connect");
    let topic = common::topic_name("fetch-sessions");
    common::create_topic(&cluster, &topic, PARTITIONS).await;

    let producer = Producer::new(client_config(bootstrap, &[("linger.ms", "5")])).unwrap();
    let sends: Vec<_> = (0..PARTITIONS)
        .flat_map(|p| (0..PER_PARTITION).map(move |i| (p, i)))
        .map(|(p, i)| {
            producer.send(ProducerRecord::new(&topic, format!("{p}-{i}")).with_partition(p))
        })
        .collect();
    for send in sends {
        send.await.expect("delivered");
    }
    producer.close(Duration::from_secs(10)).await.unwrap();

    let consumer = Consumer::new(client_config(
        bootstrap,
        &[
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
            ("fetch.max.wait.ms", "100"),
        ],
    ))
    .unwrap();
    consumer
        .assign(
            (0..PARTITIONS)
                .map(|p| TopicPartition::new(topic.as_str(), p))
                .collect(),
        )
        .unwrap();
    let total = PARTITIONS as usize * PER_PARTITION;
    let mut seen = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        for r in consumer
            .poll(Duration::from_millis(200))
            .await
            .expect("poll")
        {
            seen.insert(r.value.expect("a value"));
        }
        if seen.len() == total && consumer.metrics().incremental_fetch_total >= 3 {
            break;
        }
    }
    let metrics = consumer.metrics();
    consumer.close().await.unwrap();
    assert_eq!(seen.len(), total, "every record consumed ({metrics:?})");
    metrics
}

fn assert_incremental(metrics: &ConsumerMetrics) {
    assert!(
        metrics.full_fetch_total >= 1,
        "a FULL fetch opens the session: {metrics:?}"
    );
    assert!(
        metrics.incremental_fetch_total >= 3,
        "later fetches are INCREMENTAL: {metrics:?}"
    );
    assert!(
        metrics.incremental_fetch_total > metrics.full_fetch_total,
        "the session is kept, not re-opened on every fetch: {metrics:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_fetches_incrementally_from_the_broker_under_test() {
    let metrics = consume_through_a_session(&common::bootstrap()).await;
    println!("{} consumer fetch counters: {metrics:?}", common::target());
    assert_incremental(&metrics);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_fetches_incrementally_from_our_broker_seen_from_both_sides() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = Broker::builder()
        .data_dir(dir.path())
        .listen("127.0.0.1:0")
        .start()
        .await
        .expect("broker starts");
    let metrics = consume_through_a_session(broker.bootstrap_servers()).await;
    let sessions = broker.fetch_session_metrics();
    broker.shutdown().await;
    println!("consumer {metrics:?}\nbroker {sessions:?}");
    assert_incremental(&metrics);
    assert!(sessions.sessions_created >= 1, "{sessions:?}");
    // The consumer is the only fetcher; the broker may have answered a fetch the closing
    // consumer no longer read, never fewer than the consumer saw.
    assert!(
        sessions.incremental_fetches >= metrics.incremental_fetch_total,
        "{sessions:?} vs {metrics:?}"
    );
    assert!(
        sessions.full_fetches >= metrics.full_fetch_total,
        "{sessions:?} vs {metrics:?}"
    );
    assert_eq!(
        (sessions.session_id_not_found, sessions.invalid_epoch),
        (0, 0),
        "{sessions:?}"
    );
}

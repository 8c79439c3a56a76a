//! Cross-client records: what the core writes, Apache Kafka's Java client reads unchanged, and
//! the other way round — every codec, keys (ASCII, UTF-8, binary, empty, none), null values,
//! headers (null values, repeated names), explicit timestamps and explicit partitions; keyed
//! records land on the same partition from both clients (murmur2 parity).
//!
//! Runs against the broker named by FERROKAFKA_TEST_TARGET (see tests/common); the Java side is
//! tests/interop/java-core/CoreInterop.java, launched per test.

use crate::common;
use crate::cross_client_java;

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cross_client_java::{java_consume, java_produce, Spec};
use ferrokafka_core::consumer::{Consumer, ConsumerRecord, TimestampType};
use ferrokafka_core::partitioner::partition_for_key;
use ferrokafka_core::{Producer, TopicPartition};

const CODECS: [&str; 5] = ["none", "gzip", "snappy", "lz4", "zstd"];
const PARTITIONS: i32 = 4;
const PER_CODEC: usize = 48;
/// Explicit CreateTimes an hour in the past: old enough to tell from "now", recent enough that
/// retention (7 days by default) never deletes them.
static BASE_TS: LazyLock<i64> = LazyLock::new(|| now_ms() - 3_600_000);

/// Record `i` of the shared scenario, tagged with the codec that writes it.
fn spec(codec: &str, i: usize) -> Spec {
    let key = match i % 6 {
        0 => Some(format!("key-{i}").into_bytes()),
        1 => Some(format!("ключ-{i}-é€").into_bytes()),
        2 => Some(vec![0, 0xff, i as u8, 0x80, 0x7f]),
        3 => Some(Vec::new()),
        4 => None,
        _ => Some(format!("key-{i}").into_bytes()),
    };
    let partition = match i % 6 {
        4 => Some((i as i32) % PARTITIONS),
        5 => Some(PARTITIONS - 1), // explicit partition wins over the key
        _ => None,
    };
    let value = (i % 10 != 7).then(|| format!("value-{i}-{codec}-").repeat(1 + i % 4).into_bytes());
    let headers = if i.is_multiple_of(2) {
        vec![
            ("trace".to_string(), Some(format!("t{i}").into_bytes())),
            ("empty".to_string(), None),
            ("bin".to_string(), Some(vec![0, 1, 2, 0xfe])),
        ]
    } else {
        Vec::new()
    };
    Spec {
        partition,
        key,
        value,
        timestamp: i.is_multiple_of(3).then_some(*BASE_TS + i as i64),
        headers,
    }
}

fn scenario() -> Vec<(&'static str, Spec)> {
    CODECS
        .iter()
        .flat_map(|c| (0..PER_CODEC).map(move |i| (*c, spec(c, i))))
        .collect()
}

/// The partition a spec must land on, by the Java client's rules.
fn expected_partition(s: &Spec) -> Option<i32> {
    match (&s.partition, &s.key) {
        (Some(p), _) => Some(*p),
        (None, Some(k)) => Some(partition_for_key(k, PARTITIONS)),
        (None, None) => None, // sticky: any partition
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn assert_timestamp(s: &Spec, got: i64, started: i64, what: &str) {
    match s.timestamp {
        Some(ts) => assert_eq!(got, ts, "{what}: explicit CreateTime kept"),
        None => assert!(
            got >= started - 1000 && got <= now_ms() + 1000,
            "{what}: CreateTime {got} set at send time (started {started})"
        ),
    }
}

/// Reads `count` records of `topic` from the beginning with the core consumer (assign, no group).
async fn core_read_all(topic: &str, partitions: i32, count: usize) -> Vec<ConsumerRecord> {
    let consumer = Consumer::new(common::config(&[("auto.offset.reset", "earliest")]))
        .expect("consumer config");
    consumer
        .assign(
            (0..partitions)
                .map(|p| TopicPartition::new(topic, p))
                .collect(),
        )
        .expect("assign");
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while out.len() < count && tokio::time::Instant::now() < deadline {
        out.extend(
            consumer
                .poll(Duration::from_millis(500))
                .await
                .expect("poll"),
        );
    }
    // Anything beyond `count` would be a duplicate or a stray write.
    out.extend(
        consumer
            .poll(Duration::from_millis(500))
            .await
            .expect("poll"),
    );
    consumer.close().await.expect("close");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_written_by_the_core_are_read_unchanged_by_java() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("core-to-java");
    common::create_topic(&cluster, &topic, PARTITIONS).await;
    let specs = scenario();
    let started = now_ms();
    // One producer per codec, so each codec writes its own batches into every partition.
    let mut written: HashMap<(i32, i64), usize> = HashMap::new();
    for codec in CODECS {
        let producer = Producer::new(common::config(&[("compression.type", codec)])).unwrap();
        let futs: Vec<_> = specs
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| *c == codec)
            .map(|(n, (_, s))| (n, producer.send(s.to_record(&topic))))
            .collect();
        for (n, f) in futs {
            let md = f
                .await
                .unwrap_or_else(|e| panic!("{codec}: record {n}: {e}"));
            if let Some(p) = expected_partition(&specs[n].1) {
                assert_eq!(
                    md.partition, p,
                    "{codec}: record {n} partition (murmur2/explicit)"
                );
            }
            assert!(written.insert((md.partition, md.offset), n).is_none());
        }
        producer.close(Duration::from_secs(10)).await.unwrap();
    }

    let seen = java_consume(&common::bootstrap(), &topic, specs.len());
    assert_eq!(
        seen.len(),
        specs.len(),
        "Java read every record exactly once"
    );
    for r in &seen {
        let n = *written.get(&(r.partition, r.offset)).unwrap_or_else(|| {
            panic!(
                "Java read {}@{} which the core never wrote",
                r.partition, r.offset
            )
        });
        let (codec, s) = &specs[n];
        let what = format!("{codec} record {n} at {}@{}", r.partition, r.offset);
        assert_eq!(r.key, s.key, "{what}: key");
        assert_eq!(r.value, s.value, "{what}: value");
        assert_eq!(r.headers, s.headers, "{what}: headers in order");
        assert_timestamp(s, r.timestamp, started, &what);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_written_by_java_are_read_unchanged_by_the_core() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("java-to-core");
    common::create_topic(&cluster, &topic, PARTITIONS).await;
    let specs = scenario();
    let started = now_ms();
    let placed = java_produce(&common::bootstrap(), &topic, &specs);
    let mut written: HashMap<(i32, i64), usize> = HashMap::new();
    for (n, ((codec, s), at)) in specs.iter().zip(&placed).enumerate() {
        if let Some(p) = expected_partition(s) {
            assert_eq!(
                at.0, p,
                "{codec}: record {n}: the Java client and the core pick the same partition"
            );
        }
        assert!(written.insert(*at, n).is_none());
    }

    let got = core_read_all(&topic, PARTITIONS, specs.len()).await;
    let mut have: Vec<(i32, i64)> = got.iter().map(|r| (r.partition, r.offset)).collect();
    have.sort_unstable();
    let mut want: Vec<(i32, i64)> = written.keys().copied().collect();
    want.sort_unstable();
    assert_eq!(have, want, "the core read every record exactly once");
    for r in &got {
        let n = *written.get(&(r.partition, r.offset)).unwrap_or_else(|| {
            panic!(
                "the core read {}@{} which Java never wrote",
                r.partition, r.offset
            )
        });
        let (codec, s) = &specs[n];
        let what = format!("{codec} record {n} at {}@{}", r.partition, r.offset);
        assert_eq!(r.key.as_deref(), s.key.as_deref(), "{what}: key");
        assert_eq!(r.value.as_deref(), s.value.as_deref(), "{what}: value");
        let headers: Vec<(String, Option<Vec<u8>>)> = r
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_ref().map(|v| v.to_vec())))
            .collect();
        assert_eq!(headers, s.headers, "{what}: headers in order");
        assert_eq!(r.timestamp_type, TimestampType::CreateTime, "{what}");
        assert_timestamp(s, r.timestamp, started, &what);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_header_names_survive_both_directions() {
    // Kafka headers are a list: a name may repeat and order matters (Java's Headers.headers(k)).
    let cluster = common::cluster().await;
    let topic = common::topic_name("dup-headers");
    common::create_topic(&cluster, &topic, 1).await;
    let spec = Spec {
        partition: Some(0),
        key: Some(b"k".to_vec()),
        value: Some(b"v".to_vec()),
        timestamp: Some(*BASE_TS),
        headers: vec![
            ("hop".to_string(), Some(b"a".to_vec())),
            ("other".to_string(), None),
            ("hop".to_string(), Some(b"b".to_vec())),
        ],
    };
    let producer = Producer::new(common::config(&[])).unwrap();
    producer.send(spec.to_record(&topic)).await.unwrap();
    producer.close(Duration::from_secs(10)).await.unwrap();
    java_produce(&common::bootstrap(), &topic, &[("none", spec.clone())]);

    let seen = java_consume(&common::bootstrap(), &topic, 2);
    assert_eq!(seen.len(), 2);
    for r in &seen {
        assert_eq!(
            r.headers, spec.headers,
            "Java reads offset {} with every header",
            r.offset
        );
    }
    let got = core_read_all(&topic, 1, 2).await;
    assert_eq!(got.len(), 2);
    for r in &got {
        let headers: Vec<(String, Option<Vec<u8>>)> = r
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_ref().map(|v| v.to_vec())))
            .collect();
        assert_eq!(
            headers, spec.headers,
            "the core reads offset {} with every header",
            r.offset
        );
    }
}

//! Incremental fetch sessions (KIP-227) on the wire: a full fetch opens a session, incremental
//! fetches answer only partitions with news, stale epochs and unknown ids get Kafka's errors,
//! epoch -1 closes the session, and the cache is bounded and evicts as Kafka's does.

use crate::common;

use common::*;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic, ForgottenTopic};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{BrokerId, FetchRequest, FetchResponse, ProduceRequest};
use kafka_protocol::records::Compression;

const V: i16 = 12;

/// Record timestamps near now, so retention (7 days by default) keeps them.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn setup(settings: &[(&str, &str)]) -> (TestBroker, RawClient) {
    let b = start_broker_with(settings).await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    assert_eq!(
        create_topic(&mut c, "s", 3, &[]).await.topics[0].error_code,
        0
    );
    (b, c)
}

async fn produce(c: &mut RawClient, partition: i32, value: &str) {
    let req = ProduceRequest::default()
        .with_acks(-1)
        .with_timeout_ms(5000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(topic_name("s"))
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(partition)
                .with_records(Some(encode_batch(
                    &[record(0, value, now_ms())],
                    Compression::None,
                )))])]);
    assert_eq!(
        c.call(&req, 9).await.responses[0].partition_responses[0].error_code,
        0
    );
}

fn fetch(session_id: i32, epoch: i32, partitions: &[(i32, i64)]) -> FetchRequest {
    let topics = if partitions.is_empty() {
        vec![]
    } else {
        vec![FetchTopic::default()
            .with_topic(topic_name("s"))
            .with_partitions(
                partitions
                    .iter()
                    .map(|(p, o)| {
                        FetchPartition::default()
                            .with_partition(*p)
                            .with_fetch_offset(*o)
                            .with_current_leader_epoch(-1)
                            .with_partition_max_bytes(1 << 20)
                    })
                    .collect(),
            )]
    };
    FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(0)
        .with_min_bytes(0)
        .with_max_bytes(50 << 20)
        .with_session_id(session_id)
        .with_session_epoch(epoch)
        .with_topics(topics)
}

fn answered(r: &FetchResponse) -> Vec<(i32, usize)> {
    r.responses
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| (p.partition_index, p.records.as_ref().map_or(0, |r| r.len())))
        .collect()
}

#[tokio::test]
async fn full_then_incremental_fetches_answer_only_partitions_with_news() {
    let (b, mut c) = setup(&[]).await;
    produce(&mut c, 0, "a").await;
    let all = [(0, 0), (1, 0), (2, 0)];
    let r = c.call(&fetch(0, 0, &all), V).await;
    assert_eq!(r.error_code, 0);
    let id = r.session_id;
    assert!(id > 0, "a full fetch at epoch 0 opens a session");
    assert_eq!(
        answered(&r).len(),
        3,
        "a full fetch answers every partition"
    );

    // Partition 0 moved on to offset 1; nothing new anywhere: an empty answer.
    let r = c.call(&fetch(id, 1, &[(0, 1)]), V).await;
    assert_eq!((r.error_code, r.session_id), (0, id));
    assert!(
        answered(&r).is_empty(),
        "no news, no partitions: {:?}",
        answered(&r)
    );

    produce(&mut c, 2, "b").await;
    let r = c.call(&fetch(id, 2, &[]), V).await;
    let got = answered(&r);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, 2);
    assert!(got[0].1 > 0, "partition 2's new record is sent");

    // The same epoch again: Kafka's duplicate-request answer.
    let r = c.call(&fetch(id, 2, &[]), V).await;
    assert_eq!(r.error_code, 71, "INVALID_FETCH_SESSION_EPOCH");
    let r = c.call(&fetch(id + 1000, 1, &[]), V).await;
    assert_eq!(r.error_code, 70, "FETCH_SESSION_ID_NOT_FOUND");
    assert_eq!(r.session_id, 0);

    // Forgetting every partition closes the session; epoch -1 fetches without one.
    let r = c
        .call(
            &fetch(id, 3, &[]).with_forgotten_topics_data(vec![ForgottenTopic::default()
                .with_topic(topic_name("s"))
                .with_partitions(vec![0, 1, 2])]),
            V,
        )
        .await;
    assert_eq!((r.error_code, r.session_id), (0, 0));
    let r = c.call(&fetch(0, -1, &all), V).await;
    assert_eq!((r.error_code, r.session_id, answered(&r).len()), (0, 0, 3));

    let m = b.handle.fetch_session_metrics();
    assert_eq!(m.sessions, 0);
    assert_eq!(m.sessions_created, 1);
    assert_eq!(m.incremental_fetches, 2);
    assert_eq!(m.invalid_epoch, 1);
    assert_eq!(m.session_id_not_found, 1);
    b.handle.shutdown().await;
}

#[tokio::test]
async fn the_cache_is_bounded_and_evicts_stale_sessions() {
    // One slot, and sessions never go stale within the test: the second gets no session.
    let (b, mut c) = setup(&[("max.incremental.fetch.session.cache.slots", "1")]).await;
    let first = c.call(&fetch(0, 0, &[(0, 0)]), V).await.session_id;
    assert!(first > 0);
    let second = c.call(&fetch(0, 0, &[(1, 0)]), V).await;
    assert_eq!((second.error_code, second.session_id), (0, 0));
    assert_eq!(
        answered(&second).len(),
        1,
        "still answered, just without a session"
    );
    assert_eq!(b.handle.fetch_session_metrics().evictions, 0);
    b.handle.shutdown().await;

    // Every session counts as stale at once: a new one evicts the old.
    let (b, mut c) = setup(&[
        ("max.incremental.fetch.session.cache.slots", "1"),
        ("min.incremental.fetch.session.eviction.ms", "-1"),
    ])
    .await;
    let first = c.call(&fetch(0, 0, &[(0, 0)]), V).await.session_id;
    let second = c.call(&fetch(0, 0, &[(1, 0)]), V).await.session_id;
    assert!(first > 0 && second > 0 && first != second);
    assert_eq!(c.call(&fetch(first, 1, &[]), V).await.error_code, 70);
    assert_eq!(c.call(&fetch(second, 1, &[]), V).await.error_code, 0);
    let m = b.handle.fetch_session_metrics();
    assert_eq!((m.sessions, m.evictions), (1, 1));
    b.handle.shutdown().await;
}

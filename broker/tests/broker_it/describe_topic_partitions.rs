//! DescribeTopicPartitions (API 75) as Kafka answers it: topics sorted by name, ELR lists,
//! unknown topics with UNKNOWN_TOPIC_OR_PARTITION, and the cursor paging through partitions
//! when a response's partition limit is reached.

use crate::common;

use common::{create_topic, start_broker, topic_name, RawClient};
use kafka_protocol::messages::describe_topic_partitions_request::{Cursor, TopicRequest};
use kafka_protocol::messages::*;

fn request(
    topics: &[&str],
    limit: i32,
    cursor: Option<(&str, i32)>,
) -> DescribeTopicPartitionsRequest {
    DescribeTopicPartitionsRequest::default()
        .with_topics(
            topics
                .iter()
                .map(|t| TopicRequest::default().with_name(topic_name(t)))
                .collect(),
        )
        .with_response_partition_limit(limit)
        .with_cursor(cursor.map(|(t, p)| {
            Cursor::default()
                .with_topic_name(topic_name(t))
                .with_partition_index(p)
        }))
}

/// (topic, partition) pairs of a response, in order.
fn listed(resp: &DescribeTopicPartitionsResponse) -> Vec<(String, i32)> {
    resp.topics
        .iter()
        .flat_map(|t| {
            let name = t.name.as_ref().unwrap().0.to_string();
            t.partitions
                .iter()
                .map(move |p| (name.clone(), p.partition_index))
        })
        .collect()
}

#[tokio::test]
async fn topics_sorted_with_elr_and_unknown_topics_flagged() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    assert_eq!(
        create_topic(&mut c, "zeta", 2, &[]).await.topics[0].error_code,
        0
    );
    assert_eq!(
        create_topic(&mut c, "alpha", 1, &[]).await.topics[0].error_code,
        0
    );
    let resp = c
        .call(&request(&["zeta", "missing", "alpha"], 2000, None), 0)
        .await;
    let names: Vec<_> = resp
        .topics
        .iter()
        .map(|t| (t.name.as_ref().unwrap().0.to_string(), t.error_code))
        .collect();
    assert_eq!(
        names,
        vec![
            ("alpha".to_string(), 0),
            ("missing".to_string(), 3),
            ("zeta".to_string(), 0)
        ]
    );
    assert!(resp.next_cursor.is_none());
    let zeta = &resp.topics[2];
    assert!(!zeta.topic_id.is_nil());
    assert_eq!(zeta.partitions.len(), 2);
    for p in &zeta.partitions {
        assert_eq!(p.leader_id.0, 1);
        assert_eq!(p.isr_nodes.len(), 1);
        assert_eq!(p.eligible_leader_replicas.as_deref(), Some(&[][..]));
        assert_eq!(p.last_known_elr.as_deref(), Some(&[][..]));
    }
    // No topics named: every topic.
    let all = c.call(&request(&[], 2000, None), 0).await;
    assert_eq!(
        listed(&all),
        vec![("alpha".into(), 0), ("zeta".into(), 0), ("zeta".into(), 1)]
    );
}

#[tokio::test]
async fn the_cursor_pages_through_every_partition_once() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    assert_eq!(
        create_topic(&mut c, "a", 3, &[]).await.topics[0].error_code,
        0
    );
    assert_eq!(
        create_topic(&mut c, "b", 2, &[]).await.topics[0].error_code,
        0
    );
    assert_eq!(
        create_topic(&mut c, "c", 2, &[]).await.topics[0].error_code,
        0
    );
    let mut seen = Vec::new();
    let mut cursor: Option<(String, i32)> = None;
    let mut pages = 0;
    loop {
        let resp = c
            .call(
                &request(
                    &["a", "b", "c"],
                    3,
                    cursor.as_ref().map(|(t, p)| (t.as_str(), *p)),
                ),
                0,
            )
            .await;
        let page = listed(&resp);
        assert!(page.len() <= 3, "a page holds at most the limit: {page:?}");
        seen.extend(page);
        pages += 1;
        assert!(pages < 10, "the cursor must make progress");
        match resp.next_cursor {
            Some(n) => cursor = Some((n.topic_name.0.to_string(), n.partition_index)),
            None => break,
        }
    }
    let want: Vec<(String, i32)> = [
        ("a", 0),
        ("a", 1),
        ("a", 2),
        ("b", 0),
        ("b", 1),
        ("c", 0),
        ("c", 1),
    ]
    .iter()
    .map(|(t, p)| (t.to_string(), *p))
    .collect();
    assert_eq!(seen, want);
    assert_eq!(pages, 3);
    // A cursor naming a topic outside the request is an invalid request.
    let bad = c.call(&request(&["a"], 10, Some(("b", 0))), 0).await;
    assert_eq!(bad.topics[0].error_code, 42);
}

//! The consumer's topic listing against a real broker: internal topics (those the metadata
//! marks `is_internal`, `__consumer_offsets` on Apache Kafka once a group committed) only when
//! asked for, as Java's `KafkaConsumer.listTopics()` includes them and kafka-python's
//! `topics()` leaves them out.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ferrokafka_core::admin::Admin;
use ferrokafka_core::consumer::{Consumer, OffsetAndMetadata};
use ferrokafka_core::TopicPartition;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_topics_lists_internal_topics_only_when_asked() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("lt");
    common::create_topic(&cluster, &topic, 2).await;
    // A committed offset: Apache Kafka has __consumer_offsets from then on.
    let group = common::topic_name("lt-g");
    Admin::new(common::config(&[]))
        .unwrap()
        .alter_group_offsets(
            &group,
            &BTreeMap::from([(
                TopicPartition::new(topic.as_str(), 0),
                OffsetAndMetadata::new(0),
            )]),
        )
        .await
        .unwrap();

    // What the broker's metadata marks internal.
    let md = cluster.fetch_metadata(None).await.unwrap();
    let internal: BTreeSet<String> = md
        .topics
        .iter()
        .filter(|t| t.is_internal && t.error_code == 0)
        .filter_map(|t| t.name.as_ref().map(|n| n.0.to_string()))
        .collect();
    if common::target() == "apache" {
        assert!(
            internal.contains("__consumer_offsets"),
            "Apache Kafka lists __consumer_offsets as internal: {internal:?}"
        );
    }

    let c = Consumer::new(common::config(&[("group.id", &group)])).unwrap();
    let with = c.list_topics(true).await.unwrap();
    let without = c
        .list_topics_with_timeout(false, Duration::from_secs(30))
        .await
        .unwrap();
    for listed in [&with, &without] {
        let parts: Vec<i32> = listed[&topic].iter().map(|p| p.partition).collect();
        assert_eq!(parts, vec![0, 1], "{topic} with its partitions");
    }
    for name in &internal {
        assert!(
            with.get(name).is_some_and(|p| !p.is_empty()),
            "{name} listed with its partitions when asked for: {:?}",
            with.keys().collect::<Vec<_>>()
        );
        assert!(!without.contains_key(name), "{name} left out by default");
    }
    assert!(
        without.keys().all(|k| !internal.contains(k)),
        "no internal topic without include_internal"
    );
    c.close().await.unwrap();
}

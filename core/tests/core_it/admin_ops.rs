//! Admin client against a real broker (Apache Kafka or ours, see tests/common).

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use ferrokafka_core::admin::{
    Admin, AlterConfigOp, ConfigResource, NewTopic, EARLIEST, LATEST, MAX_TIMESTAMP,
};
use ferrokafka_core::consumer::{Consumer, OffsetAndMetadata};
use ferrokafka_core::{ErrorKind, Producer, ProducerRecord, TopicPartition};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{DescribeConfigsRequest, IncrementalAlterConfigsRequest};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

fn admin() -> Admin {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    Admin::new(common::config(&[])).unwrap()
}

async fn produce(topic: &str, partition: i32, n: usize) {
    let p = Producer::new(common::config(&[])).unwrap();
    // Recent timestamps: retention (7 days) would delete older records while the test runs.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let futs: Vec<_> = (0..n)
        .map(|i| {
            p.send(
                ProducerRecord::new(topic, format!("v{i}"))
                    .with_partition(partition)
                    .with_timestamp(now - 60_000 + i as i64),
            )
        })
        .collect();
    for f in futs {
        f.await.unwrap();
    }
    p.close(Duration::from_secs(10)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_partitions_configs_and_cluster() {
    let a = admin();
    let cluster = a.describe_cluster().await.unwrap();
    assert!(!cluster.brokers.is_empty());
    let name = common::topic_name("adm");
    a.create_topics(
        &[NewTopic::new(&name, 2, 1).with_config("retention.ms", "3600000")],
        true,
    )
    .await
    .unwrap();
    assert!(
        !a.list_topics(false).await.unwrap().contains(&name),
        "validate_only creates nothing"
    );
    a.create_topics(
        &[NewTopic::new(&name, 2, 1).with_config("retention.ms", "3600000")],
        false,
    )
    .await
    .unwrap();
    let e = a
        .create_topics(&[NewTopic::new(&name, 2, 1)], false)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TopicAlreadyExists, "{e}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !a.list_topics(false).await.unwrap().contains(&name) {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    a.create_partitions(&name, 3, false).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = a.describe_topics(&[&name]).await.unwrap();
        if d[0].partitions.len() == 3 && d[0].partitions.iter().all(|p| p.leader.is_some()) {
            assert_eq!(d[0].name, name);
            break;
        }
        assert!(Instant::now() < deadline, "partitions not grown: {d:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let res = ConfigResource::topic(&name);
    let cfg = a.describe_configs(&res, None).await.unwrap();
    assert_eq!(
        cfg.iter()
            .find(|c| c.name == "retention.ms")
            .and_then(|c| c.value.clone()),
        Some("3600000".into())
    );
    a.incremental_alter_configs(
        &res,
        &[AlterConfigOp::Set("retention.ms".into(), "7200000".into())],
        false,
    )
    .await
    .unwrap();
    // Apache Kafka answers IncrementalAlterConfigs once the controller committed the change;
    // the broker serving DescribeConfigs applies it a moment later (ours at once): describe
    // until it shows, for a bounded time.
    let applied_by = Instant::now() + Duration::from_secs(10);
    let value = loop {
        let cfg = a
            .describe_configs(&res, Some(&["retention.ms"]))
            .await
            .unwrap();
        let value = cfg[0].value.clone();
        if value.as_deref() == Some("7200000") || Instant::now() > applied_by {
            break value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(value.as_deref(), Some("7200000"));
    a.delete_topics(&[&name]).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while a.list_topics(false).await.unwrap().contains(&name) {
        assert!(Instant::now() < deadline, "topic not deleted");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_offsets_and_delete_records() {
    let a = admin();
    let name = common::topic_name("adm-rec");
    a.create_topics(&[NewTopic::new(&name, 1, 1)], false)
        .await
        .unwrap();
    produce(&name, 0, 10).await;
    let tp = TopicPartition::new(name.as_str(), 0);
    let q = |spec| BTreeMap::from([(tp.clone(), spec)]);
    assert_eq!(a.list_offsets(&q(EARLIEST)).await.unwrap()[&tp].offset, 0);
    assert_eq!(a.list_offsets(&q(LATEST)).await.unwrap()[&tp].offset, 10);
    assert_eq!(
        a.list_offsets(&q(MAX_TIMESTAMP)).await.unwrap()[&tp].offset,
        9
    );
    assert_eq!(
        a.list_offsets(&q(0)).await.unwrap()[&tp].offset,
        0,
        "by timestamp"
    );
    let low = a
        .delete_records(&BTreeMap::from([(tp.clone(), 4)]))
        .await
        .unwrap();
    assert_eq!(low[&tp], 4);
    assert_eq!(
        a.list_offsets(&q(EARLIEST)).await.unwrap()[&tp].offset,
        4,
        "low watermark moved"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_and_group_offsets() {
    let a = admin();
    let name = common::topic_name("adm-grp");
    a.create_topics(&[NewTopic::new(&name, 2, 1)], false)
        .await
        .unwrap();
    produce(&name, 0, 10).await;
    let group = common::topic_name("g");
    let c = Consumer::new(common::config(&[
        ("group.id", &group),
        ("auto.offset.reset", "earliest"),
        ("heartbeat.interval.ms", "300"),
        ("session.timeout.ms", "10000"),
    ]))
    .unwrap();
    c.subscribe(&[&name]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.poll(Duration::from_millis(200)).await.unwrap().is_empty() {
        assert!(Instant::now() < deadline);
    }
    let d = a.describe_group(&group).await.unwrap();
    assert_eq!(d.state, "Stable");
    assert_eq!(d.protocol, "range");
    assert_eq!(d.members.len(), 1);
    assert_eq!(
        d.members[0].assignment.len(),
        2,
        "assignment decoded: {:?}",
        d.members[0]
    );
    assert!(a
        .list_groups()
        .await
        .unwrap()
        .iter()
        .any(|g| g.group_id == group));
    c.close().await.unwrap();

    // --reset-offsets --to-offset 6 --execute, then a consumer starts there.
    let tp0 = TopicPartition::new(name.as_str(), 0);
    let tp1 = TopicPartition::new(name.as_str(), 1);
    a.alter_group_offsets(
        &group,
        &BTreeMap::from([(tp0.clone(), OffsetAndMetadata::new(6))]),
    )
    .await
    .unwrap();
    let offs = a.list_group_offsets(&group, None).await.unwrap();
    assert_eq!(offs[&tp0].offset, 6);
    let c = Consumer::new(common::config(&[
        ("group.id", &group),
        ("auto.offset.reset", "earliest"),
    ]))
    .unwrap();
    c.assign(vec![tp0.clone()]).unwrap();
    assert_eq!(c.position(&tp0).await.unwrap(), 6);
    let deadline = Instant::now() + Duration::from_secs(30);
    let rs = loop {
        let rs = c.poll(Duration::from_millis(200)).await.unwrap();
        if !rs.is_empty() {
            break rs;
        }
        assert!(Instant::now() < deadline);
    };
    assert_eq!(rs[0].offset, 6);
    c.close().await.unwrap();

    a.alter_group_offsets(
        &group,
        &BTreeMap::from([(tp1.clone(), OffsetAndMetadata::new(0))]),
    )
    .await
    .unwrap();
    a.delete_group_offsets(&group, std::slice::from_ref(&tp1))
        .await
        .unwrap();
    let offs = a
        .list_group_offsets(&group, Some(&[tp0.clone(), tp1.clone()]))
        .await
        .unwrap();
    assert!(!offs.contains_key(&tp1), "deleted offset is gone");
    a.delete_groups(&[&group]).await.unwrap();
    assert!(!a
        .list_groups()
        .await
        .unwrap()
        .iter()
        .any(|g| g.group_id == group));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_topics_own_error_is_reported_at_once() {
    let _ = admin();
    // An hour to retry in: a call that retried the topic's own error would hit the guard below
    // instead of answering.
    let a = Admin::new(common::config(&[("default.api.timeout.ms", "3600000")])).unwrap();
    let missing = common::topic_name("adm-missing");
    let guard = Duration::from_secs(120);
    let deleted = tokio::time::timeout(guard, a.delete_topics(&[&missing]))
        .await
        .expect("delete_topics answers instead of retrying the topic's error");
    assert_eq!(
        deleted.unwrap_err().kind(),
        ErrorKind::UnknownTopicOrPartition
    );
    let grown = tokio::time::timeout(guard, a.create_partitions(&missing, 3, false))
        .await
        .expect("create_partitions answers instead of retrying the topic's error");
    assert_eq!(
        grown.unwrap_err().kind(),
        ErrorKind::UnknownTopicOrPartition
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_and_deleted_topics_report_their_id_and_configs() {
    let a = admin();
    let name = common::topic_name("adm-ids");
    let created = a
        .create_topics_detailed(
            &[NewTopic::new(&name, 2, 1).with_config("retention.ms", "3600000")],
            false,
        )
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    let c = &created[0];
    assert_eq!(
        (c.name.as_str(), c.num_partitions, c.replication_factor),
        (name.as_str(), 2, 1)
    );
    assert!(
        !c.topic_id.is_nil(),
        "CreateTopics v7+ names the new topic's id"
    );
    assert_eq!(c.config_error_code, 0, "the broker sent the configs");
    let retention = c.configs.iter().find(|e| e.name == "retention.ms").unwrap();
    assert_eq!(retention.value.as_deref(), Some("3600000"));
    assert_eq!(retention.source, "DYNAMIC_TOPIC_CONFIG");
    // Every config of the topic, not only the ones asked for (Java's CreateTopicsResult.config()).
    let min_isr = c.configs.iter().find(|e| e.name == "min.insync.replicas");
    assert!(
        min_isr.is_some_and(|e| e.value.is_some() && e.source != "DYNAMIC_TOPIC_CONFIG"),
        "{min_isr:?}"
    );
    // validate_only answers the counts the topic would have, and creates nothing.
    let other = common::topic_name("adm-ids-v");
    let checked = a
        .create_topics_detailed(&[NewTopic::new(&other, 3, 1)], true)
        .await
        .unwrap();
    assert_eq!(
        (checked[0].num_partitions, checked[0].replication_factor),
        (3, 1)
    );
    assert!(!a.list_topics(false).await.unwrap().contains(&other));
    let described = a.describe_topics(&[name.as_str()]).await.unwrap();
    assert_eq!(described[0].topic_id, c.topic_id);
    let states = &described[0].partition_states;
    assert_eq!(
        states.iter().map(|p| p.partition).collect::<Vec<_>>(),
        vec![0, 1]
    );
    assert!(states
        .iter()
        .all(|p| p.leader_epoch >= 0 && p.offline_replicas.is_empty()));
    let deleted = a.delete_topics_detailed(&[name.as_str()]).await.unwrap();
    assert_eq!(deleted, vec![(name.clone(), c.topic_id)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_topics_config_error_is_reported_at_once_with_the_brokers_message() {
    let _ = admin();
    // An hour to retry in, as above: only an answer at once gets past the guard.
    let a = Admin::new(common::config(&[("default.api.timeout.ms", "3600000")])).unwrap();
    let missing = common::topic_name("adm-cfg-missing");
    let res = ConfigResource::topic(&missing);
    let guard = Duration::from_secs(120);

    // What the broker answers for the resource itself, to hold the errors' messages to.
    let conn = common::cluster().await.any_broker().await.unwrap();
    let name = StrBytes::from_string(missing.clone());
    let described = conn
        .request(&DescribeConfigsRequest::default().with_resources(vec![
                DescribeConfigsResource::default()
                    .with_resource_type(2)
                    .with_resource_name(name.clone())
                    .with_configuration_keys(None),
            ]))
        .await
        .unwrap();
    let altered = conn
        .request(
            &IncrementalAlterConfigsRequest::default()
                .with_resources(vec![AlterConfigsResource::default()
                    .with_resource_type(2)
                    .with_resource_name(name)
                    .with_configs(vec![AlterableConfig::default()
                        .with_name(StrBytes::from_static_str("retention.ms"))
                        .with_config_operation(0)
                        .with_value(Some(StrBytes::from_static_str("1")))])])
                .with_validate_only(true),
        )
        .await
        .unwrap();
    // Kept exactly as sent: Apache Kafka sends "" for a missing topic's DescribeConfigs.
    let message = |m: Option<&StrBytes>| m.map(|m| m.to_string());
    let describe_message = message(described.results[0].error_message.as_ref());
    let alter_message = message(altered.responses[0].error_message.as_ref());
    assert_eq!(described.results[0].error_code, 3);
    assert_eq!(altered.responses[0].error_code, 3);

    let check = |what: &str, e: ferrokafka_core::Error, broker: &Option<String>| {
        assert_eq!(e.kind(), ErrorKind::UnknownTopicOrPartition, "{what}: {e}");
        assert_eq!(e.code(), Some(3), "{what}: {e}");
        assert_eq!(e.broker_message(), broker.as_deref(), "{what}: {e}");
    };
    let e = tokio::time::timeout(guard, a.describe_configs(&res, None))
        .await
        .expect("describe_configs answers instead of retrying the resource's error")
        .unwrap_err();
    check("describe_configs", e, &describe_message);
    let e = tokio::time::timeout(guard, a.describe_config_details(&res, true))
        .await
        .expect("describe_config_details answers instead of retrying")
        .unwrap_err();
    check("describe_config_details", e, &describe_message);
    let set = [AlterConfigOp::Set("retention.ms".into(), "1".into())];
    let e = tokio::time::timeout(guard, a.incremental_alter_configs(&res, &set, false))
        .await
        .expect("incremental_alter_configs answers instead of retrying")
        .unwrap_err();
    check("incremental_alter_configs", e, &alter_message);
    assert!(
        !a.list_topics(true).await.unwrap().contains(&missing),
        "nothing created the topic"
    );
}

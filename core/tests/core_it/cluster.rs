//! Cluster layer against a real broker: bootstrap, metadata, connections.

use crate::common;

use std::time::Duration;

use ferrokafka_core::{ClientConfig, Cluster, ErrorKind};
use kafka_protocol::messages::{MetadataRequest, ProduceRequest};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_skips_dead_addresses_and_loads_brokers() {
    let good = common::bootstrap();
    let cfg = ClientConfig::from_pairs([
        ("bootstrap.servers", format!("127.0.0.1:1,{good}")),
        ("reconnect.backoff.ms", "10".into()),
    ])
    .unwrap();
    let cluster = Cluster::connect(cfg).await.expect("second address works");
    let snap = cluster.metadata();
    assert!(!snap.brokers.is_empty());
    let (id, _) = snap.brokers.iter().next().unwrap();
    let conn = cluster.broker(*id).await.unwrap();
    assert!(conn.version::<MetadataRequest>().unwrap() >= 1);
    assert!(
        conn.version::<ProduceRequest>().unwrap() >= 3,
        "negotiated a Produce version"
    );
    let resp = conn.request(&MetadataRequest::default()).await.unwrap();
    assert!(!resp.brokers.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_tracks_created_topics_and_missing_ones_time_out() {
    let cluster = common::cluster().await;
    let topic = common::topic_name("meta");
    common::create_topic(&cluster, &topic, 5).await;
    let t = cluster
        .topic(&topic, tokio::time::Instant::now() + Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(t.partition_count(), 5);
    assert!(!t.id.is_nil(), "topic ids are cached");
    assert!(t
        .partitions
        .iter()
        .all(|p| p.leader.is_some() && p.leader_epoch >= 0));

    // A cluster that may not auto-create topics reports a missing one with a typed error.
    let cfg = common::config(&[("retry.backoff.ms", "20")]);
    let strict = Cluster::connect_with(
        cfg,
        std::sync::Arc::new(ferrokafka_core::TcpConnector),
        false,
    )
    .await
    .unwrap();
    let missing = common::topic_name("missing");
    let err = strict
        .topic(
            &missing,
            tokio::time::Instant::now() + Duration::from_millis(500),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Timeout | ErrorKind::UnknownTopicOrPartition
        ),
        "{err}"
    );
    assert!(err.to_string().contains(&missing));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_bootstrap_is_a_network_error_naming_the_servers() {
    let cfg = ClientConfig::from_pairs([
        ("bootstrap.servers", "127.0.0.1:1"),
        ("socket.connection.setup.timeout.ms", "500"),
    ])
    .unwrap();
    let err = Cluster::connect(cfg).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Network | ErrorKind::Timeout),
        "{err}"
    );
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
}

//! Every listener in `listeners` is bound, and Metadata tells a client the advertised address
//! of the listener it came in on (Kafka's rule), so `INTERNAL://` and `EXTERNAL://` both work.

use crate::common;

use common::{start_broker_with, RawClient};
use kafka_protocol::messages::MetadataRequest;

#[tokio::test]
async fn every_listener_is_bound_and_advertises_its_own_address() {
    let broker = start_broker_with(&[
        ("listeners", "EXTERNAL://127.0.0.1:0,INTERNAL://127.0.0.1:0"),
        (
            "listener.security.protocol.map",
            "EXTERNAL:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
        ),
        (
            "advertised.listeners",
            "EXTERNAL://127.0.0.1:0,INTERNAL://broker.internal.example:19092",
        ),
    ])
    .await;
    let addrs = broker.handle.listener_addrs().to_vec();
    assert_eq!(
        addrs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["EXTERNAL", "INTERNAL"]
    );
    assert_ne!(addrs[0].1.port(), addrs[1].1.port());

    let mut external = RawClient::connect(addrs[0].1).await;
    let md = external.call(&MetadataRequest::default(), 9).await;
    assert_eq!(md.brokers[0].host.as_str(), "127.0.0.1");
    assert_eq!(md.brokers[0].port, i32::from(addrs[0].1.port()));

    let mut internal = RawClient::connect(addrs[1].1).await;
    let md = internal.call(&MetadataRequest::default(), 9).await;
    assert_eq!(md.brokers[0].host.as_str(), "broker.internal.example");
    assert_eq!(md.brokers[0].port, 19092);
}

#[tokio::test]
async fn controller_listeners_are_not_served_but_plaintext_is() {
    let broker = start_broker_with(&[
        (
            "listeners",
            "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
        ),
        ("controller.listener.names", "CONTROLLER"),
        ("inter.broker.listener.name", "PLAINTEXT"),
        ("sasl.mechanism.controller.protocol", "PLAIN"),
        ("sasl.mechanism.inter.broker.protocol", "PLAIN"),
        ("controller.quorum.voters", "1@localhost:9093"),
    ])
    .await;
    let names: Vec<_> = broker
        .handle
        .listener_addrs()
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(names, ["PLAINTEXT"]);
}

#[tokio::test]
async fn a_listener_without_a_security_protocol_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = ferrokafka_broker::Broker::builder()
        .data_dir(dir.path())
        .config("listeners", "CLIENTS://127.0.0.1:0")
        .start()
        .await
        .err()
        .expect("an unmapped listener name is refused");
    assert!(
        err.to_string().contains("listener.security.protocol.map"),
        "{err}"
    );
}

#[tokio::test]
async fn a_tls_listener_without_a_keystore_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = ferrokafka_broker::Broker::builder()
        .data_dir(dir.path())
        .config("listeners", "SSL://127.0.0.1:0")
        .start()
        .await
        .err()
        .expect("TLS needs a keystore");
    assert!(err.to_string().contains("ssl.keystore.location"), "{err}");
}

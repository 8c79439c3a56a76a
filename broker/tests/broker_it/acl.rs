//! Authorisation per API with ACLs on (Kafka's StandardAuthorizer rules), judged at the
//! protocol level over SASL_PLAINTEXT/PLAIN: a super user may everything; a user without ACLs
//! gets the code Kafka gives for each API and changes nothing; Metadata leaves out topics the
//! user may not describe. librdkafka and Kafka's tools judge the common paths in
//! tests/interop/python/test_security.py.

use crate::common;

use bytes::Bytes;
use common::{start_broker_with, RawClient};
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::delete_records_request::{
    DeleteRecordsPartition, DeleteRecordsTopic,
};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::{
    CreateTopicsRequest, DeleteGroupsRequest, DeleteRecordsRequest, DescribeClusterRequest,
    DescribeConfigsRequest, GroupId, InitProducerIdRequest, MetadataRequest,
    SaslAuthenticateRequest, SaslHandshakeRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

const JAAS: &str = r#"org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw" user_alice="alice-pw";"#;

async fn login(addr: std::net::SocketAddr, user: &str, pw: &str) -> RawClient {
    let mut c = RawClient::connect(addr).await;
    let h = c
        .call(
            &SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str("PLAIN")),
            1,
        )
        .await;
    assert_eq!(h.error_code, 0);
    let a = c
        .call(
            &SaslAuthenticateRequest::default()
                .with_auth_bytes(Bytes::from(format!("\0{user}\0{pw}").into_bytes())),
            2,
        )
        .await;
    assert_eq!(a.error_code, 0);
    c
}

fn create(name: &str) -> CreateTopicsRequest {
    CreateTopicsRequest::default()
        .with_topics(vec![CreatableTopic::default()
            .with_name(TopicName(StrBytes::from_string(name.to_string())))
            .with_num_partitions(1)
            .with_replication_factor(1)])
        .with_timeout_ms(10_000)
}

#[tokio::test]
async fn a_user_without_acls_gets_kafkas_codes_and_changes_nothing() {
    let broker = start_broker_with(&[
        ("listeners", "SASL_PLAINTEXT://127.0.0.1:0"),
        ("sasl.enabled.mechanisms", "PLAIN"),
        ("listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS),
        (
            "authorizer.class.name",
            "kafka.security.authorizer.AclAuthorizer",
        ),
        ("super.users", "User:admin"),
    ])
    .await;
    let addr = broker.handle.local_addr();
    let mut admin = login(addr, "admin", "admin-pw").await;
    let r = admin.call(&create("visible-to-admin"), 5).await;
    assert_eq!(r.topics[0].error_code, 0);

    let mut alice = login(addr, "alice", "alice-pw").await;
    // CreateTopics without CREATE: TOPIC_AUTHORIZATION_FAILED.
    let r = alice.call(&create("alices"), 5).await;
    assert_eq!(r.topics[0].error_code, 29);
    // Metadata: the topic she may not describe is left out; asked by name it is unauthorised.
    let md = alice
        .call(&MetadataRequest::default().with_topics(None), 9)
        .await;
    assert!(md.topics.is_empty(), "{:?}", md.topics);
    let md = admin
        .call(&MetadataRequest::default().with_topics(None), 9)
        .await;
    assert_eq!(md.topics.len(), 1);
    // DescribeConfigs on the topic: TOPIC_AUTHORIZATION_FAILED; DescribeCluster: CLUSTER_...
    let dc = alice
        .call(
            &DescribeConfigsRequest::default().with_resources(vec![
                DescribeConfigsResource::default()
                    .with_resource_type(2)
                    .with_resource_name(StrBytes::from_static_str("visible-to-admin")),
            ]),
            4,
        )
        .await;
    assert_eq!(dc.results[0].error_code, 29);
    assert_eq!(
        alice
            .call(&DescribeClusterRequest::default(), 0)
            .await
            .error_code,
        31
    );
    // DeleteRecords without DELETE: TOPIC_AUTHORIZATION_FAILED per partition.
    let dr = alice
        .call(
            &DeleteRecordsRequest::default().with_topics(vec![DeleteRecordsTopic::default()
                .with_name(TopicName(StrBytes::from_static_str("visible-to-admin")))
                .with_partitions(vec![DeleteRecordsPartition::default()
                    .with_partition_index(0)
                    .with_offset(0)])]),
            2,
        )
        .await;
    assert_eq!(dr.topics[0].partitions[0].error_code, 29);
    // DeleteGroups without DELETE: GROUP_AUTHORIZATION_FAILED.
    let dg = alice
        .call(
            &DeleteGroupsRequest::default()
                .with_groups_names(vec![GroupId(StrBytes::from_static_str("g"))]),
            2,
        )
        .await;
    assert_eq!(dg.results[0].error_code, 30);
    // An idempotent producer without WRITE anywhere: CLUSTER_AUTHORIZATION_FAILED.
    let ip = alice
        .call(
            &InitProducerIdRequest::default()
                .with_transactional_id(None)
                .with_transaction_timeout_ms(60_000),
            4,
        )
        .await;
    assert_eq!(ip.error_code, 31);
}

//! Authorisation per API with ACLs on (Kafka's StandardAuthorizer rules), judged at the
//! protocol level over SASL_PLAINTEXT/PLAIN: a super user may everything; a user without ACLs
//! gets the code Kafka gives for each API and changes nothing; Metadata leaves out topics the
//! user may not describe. librdkafka and Kafka's tools judge the common paths in
//! tests/interop/python/test_security.py.

use crate::common;

use bytes::Bytes;
use common::{create_topic, start_broker_with, topic_name, RawClient};
use kafka_protocol::messages::create_acls_request::AclCreation;
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::delete_records_request::{
    DeleteRecordsPartition, DeleteRecordsTopic,
};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_delete_request::{
    OffsetDeleteRequestPartition, OffsetDeleteRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::{
    OffsetFetchRequestGroup, OffsetFetchRequestTopic, OffsetFetchRequestTopics,
};
use kafka_protocol::messages::{
    CreateAclsRequest, CreateTopicsRequest, DeleteGroupsRequest, DeleteRecordsRequest,
    DescribeClusterRequest, DescribeConfigsRequest, GroupId, InitProducerIdRequest,
    MetadataRequest, OffsetCommitRequest, OffsetCommitResponse, OffsetDeleteRequest,
    OffsetFetchRequest, OffsetFetchResponse, SaslAuthenticateRequest, SaslHandshakeRequest,
    TopicName,
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
    // DescribeConfigs on the topic: TOPIC_AUTHORIZATION_FAILED.
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
    // DescribeCluster is open to anyone (Kafka 4.3); the cluster operations are 0 without
    // cluster DESCRIBE.
    let dc = alice
        .call(
            &DescribeClusterRequest::default().with_include_cluster_authorized_operations(true),
            0,
        )
        .await;
    assert_eq!(dc.error_code, 0);
    assert_eq!(dc.cluster_authorized_operations, 0);
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

const RESOURCE_TOPIC: i8 = 2;
const RESOURCE_GROUP: i8 = 3;
const RESOURCE_CLUSTER: i8 = 4;
const OP_READ: i8 = 3;
const OP_DELETE: i8 = 6;
const OP_ALTER: i8 = 7;
const OP_DESCRIBE: i8 = 8;

/// A broker with SASL/PLAIN users admin (super user) and alice, and ACLs on.
async fn acl_broker() -> common::TestBroker {
    start_broker_with(&[
        ("listeners", "SASL_PLAINTEXT://127.0.0.1:0"),
        ("sasl.enabled.mechanisms", "PLAIN"),
        ("listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS),
        (
            "authorizer.class.name",
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        ),
        ("super.users", "User:admin"),
    ])
    .await
}

/// ALLOW ACLs (LITERAL, any host) for `principal`: (resource type, name, operation).
async fn allow(admin: &mut RawClient, principal: &str, acls: &[(i8, &str, i8)]) {
    let creations = acls
        .iter()
        .map(|(rtype, name, op)| {
            AclCreation::default()
                .with_resource_type(*rtype)
                .with_resource_name(StrBytes::from_string(name.to_string()))
                .with_resource_pattern_type(3)
                .with_principal(StrBytes::from_string(principal.to_string()))
                .with_host(StrBytes::from_static_str("*"))
                .with_operation(*op)
                .with_permission_type(3)
        })
        .collect();
    let r = admin
        .call(&CreateAclsRequest::default().with_creations(creations), 3)
        .await;
    assert!(r.results.iter().all(|r| r.error_code == 0), "{r:?}");
}

/// A simple (generation -1) commit of partition 0 of each topic at `offset`.
async fn commit(
    c: &mut RawClient,
    group: &str,
    topics: &[&str],
    offset: i64,
) -> OffsetCommitResponse {
    let req = OffsetCommitRequest::default()
        .with_group_id(GroupId(StrBytes::from_string(group.to_string())))
        .with_generation_id_or_member_epoch(-1)
        .with_member_id(StrBytes::default())
        .with_topics(
            topics
                .iter()
                .map(|t| {
                    OffsetCommitRequestTopic::default()
                        .with_name(topic_name(t))
                        .with_partitions(vec![OffsetCommitRequestPartition::default()
                            .with_partition_index(0)
                            .with_committed_offset(offset)])
                })
                .collect(),
        );
    c.call(&req, 8).await
}

/// OffsetFetch v8 of several groups: `None` topics asks for all of them.
async fn fetch_v8(c: &mut RawClient, groups: &[(&str, Option<&[&str]>)]) -> OffsetFetchResponse {
    let groups = groups
        .iter()
        .map(|(g, topics)| {
            OffsetFetchRequestGroup::default()
                .with_group_id(GroupId(StrBytes::from_string(g.to_string())))
                .with_topics(topics.map(|ts| {
                    ts.iter()
                        .map(|t| {
                            OffsetFetchRequestTopics::default()
                                .with_name(topic_name(t))
                                .with_partition_indexes(vec![0])
                        })
                        .collect()
                }))
        })
        .collect();
    c.call(&OffsetFetchRequest::default().with_groups(groups), 8)
        .await
}

/// (topic, partition-0 offset, partition-0 error) of one group's answer, sorted by topic.
fn offsets(
    g: &kafka_protocol::messages::offset_fetch_response::OffsetFetchResponseGroup,
) -> Vec<(String, i64, i16)> {
    let mut v: Vec<_> = g
        .topics
        .iter()
        .map(|t| {
            let p = &t.partitions[0];
            (t.name.to_string(), p.committed_offset, p.error_code)
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn offset_apis_authorise_each_topic_as_kafka_does() {
    let broker = acl_broker().await;
    let addr = broker.handle.local_addr();
    let mut admin = login(addr, "admin", "admin-pw").await;
    for t in ["granted", "secret"] {
        assert_eq!(
            create_topic(&mut admin, t, 1, &[]).await.topics[0].error_code,
            0
        );
    }
    // The admin commits both topics first: the secret offset must stay hidden and unchanged.
    let r = commit(&mut admin, "g", &["granted", "secret"], 3).await;
    assert!(
        r.topics.iter().all(|t| t.partitions[0].error_code == 0),
        "{r:?}"
    );
    allow(
        &mut admin,
        "User:alice",
        &[
            (RESOURCE_GROUP, "g", OP_READ),
            (RESOURCE_GROUP, "g", OP_DELETE),
            (RESOURCE_TOPIC, "granted", OP_READ),
        ],
    )
    .await;
    let mut alice = login(addr, "alice", "alice-pw").await;

    // OffsetCommit: group READ passes, the topic without READ gets TOPIC_AUTHORIZATION_FAILED.
    let r = commit(&mut alice, "g", &["granted", "secret"], 7).await;
    let mut codes: Vec<_> = r
        .topics
        .iter()
        .map(|t| (t.name.to_string(), t.partitions[0].error_code))
        .collect();
    codes.sort();
    assert_eq!(codes, [("granted".into(), 0), ("secret".into(), 29)]);
    // Only unauthorised topics: answered without touching the group.
    let r = commit(&mut alice, "g", &["secret"], 9).await;
    assert_eq!(r.topics[0].partitions[0].error_code, 29);

    // OffsetFetch v8: the "all topics" form leaves the secret topic out; by name it is
    // TOPIC_AUTHORIZATION_FAILED at offset -1; a group without DESCRIBE fails on its own.
    let r = fetch_v8(&mut alice, &[("g", None), ("other", None)]).await;
    assert_eq!(r.groups.len(), 2);
    assert_eq!(r.groups[0].error_code, 0);
    assert_eq!(offsets(&r.groups[0]), [("granted".into(), 7, 0)]);
    assert_eq!(r.groups[1].group_id.as_str(), "other");
    assert_eq!(r.groups[1].error_code, 30);
    let r = fetch_v8(&mut alice, &[("g", Some(&["granted", "secret"]))]).await;
    assert_eq!(
        offsets(&r.groups[0]),
        [("granted".into(), 7, 0), ("secret".into(), -1, 29)]
    );

    // OffsetFetch v7 (one group): the same rules.
    let v7 = |topics: Option<Vec<&str>>| {
        OffsetFetchRequest::default()
            .with_group_id(GroupId(StrBytes::from_static_str("g")))
            .with_topics(topics.map(|ts| {
                ts.into_iter()
                    .map(|t| {
                        OffsetFetchRequestTopic::default()
                            .with_name(topic_name(t))
                            .with_partition_indexes(vec![0])
                    })
                    .collect()
            }))
    };
    let r = alice.call(&v7(None), 7).await;
    assert_eq!(r.error_code, 0);
    let names: Vec<_> = r.topics.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["granted"]);
    let r = alice.call(&v7(Some(vec!["granted", "secret"])), 7).await;
    let mut seen: Vec<_> = r
        .topics
        .iter()
        .map(|t| {
            (
                t.name.to_string(),
                t.partitions[0].committed_offset,
                t.partitions[0].error_code,
            )
        })
        .collect();
    seen.sort();
    assert_eq!(seen, [("granted".into(), 7, 0), ("secret".into(), -1, 29)]);

    // OffsetDelete: group DELETE passes, the topic without READ is refused and kept.
    let del = |t: &str| {
        OffsetDeleteRequest::default()
            .with_group_id(GroupId(StrBytes::from_static_str("g")))
            .with_topics(vec![OffsetDeleteRequestTopic::default()
                .with_name(topic_name(t))
                .with_partitions(vec![
                    OffsetDeleteRequestPartition::default().with_partition_index(0)
                ])])
    };
    let r = alice.call(&del("secret"), 0).await;
    assert_eq!(r.error_code, 0);
    assert_eq!(r.topics[0].partitions[0].error_code, 29);

    // The secret offset is still the admin's.
    let r = fetch_v8(&mut admin, &[("g", None)]).await;
    assert_eq!(
        offsets(&r.groups[0]),
        [("granted".into(), 7, 0), ("secret".into(), 3, 0)]
    );
}

/// Kafka's bit set of operation codes.
fn bits(ops: &[i8]) -> i32 {
    ops.iter().fold(0, |b, op| b | (1 << op))
}

const ALL_TOPIC_OPS: &[i8] = &[3, 4, 5, 6, 7, 8, 10, 11];
const ALL_GROUP_OPS: &[i8] = &[3, 6, 8, 10, 11];
const ALL_CLUSTER_OPS: &[i8] = &[5, 7, 8, 9, 10, 11, 12];

/// Metadata v12 asking for topic operations; DescribeTopicPartitions v0 for all topics.
async fn topic_operations(c: &mut RawClient) -> (Vec<(String, i32)>, Vec<(String, i32)>) {
    let md = c
        .call(
            &MetadataRequest::default()
                .with_topics(None)
                .with_include_topic_authorized_operations(true),
            12,
        )
        .await;
    let mut md: Vec<_> = md
        .topics
        .iter()
        .map(|t| {
            (
                t.name.as_ref().unwrap().to_string(),
                t.topic_authorized_operations,
            )
        })
        .collect();
    md.sort();
    let dtp = c
        .call(
            &kafka_protocol::messages::DescribeTopicPartitionsRequest::default()
                .with_response_partition_limit(100),
            0,
        )
        .await;
    let dtp = dtp
        .topics
        .iter()
        .map(|t| {
            (
                t.name.as_ref().unwrap().to_string(),
                t.topic_authorized_operations,
            )
        })
        .collect();
    (md, dtp)
}

async fn group_operations(c: &mut RawClient, group: &str) -> (i16, i32) {
    let r = c
        .call(
            &kafka_protocol::messages::DescribeGroupsRequest::default()
                .with_groups(vec![GroupId(StrBytes::from_string(group.to_string()))])
                .with_include_authorized_operations(true),
            5,
        )
        .await;
    (r.groups[0].error_code, r.groups[0].authorized_operations)
}

async fn cluster_operations(c: &mut RawClient) -> (i32, i32) {
    let md = c
        .call(
            &MetadataRequest::default()
                .with_topics(Some(vec![]))
                .with_include_cluster_authorized_operations(true),
            10,
        )
        .await;
    let dc = c
        .call(
            &DescribeClusterRequest::default().with_include_cluster_authorized_operations(true),
            1,
        )
        .await;
    assert_eq!(dc.error_code, 0);
    (
        md.cluster_authorized_operations,
        dc.cluster_authorized_operations,
    )
}

#[tokio::test]
async fn authorized_operations_come_from_the_acls() {
    let broker = acl_broker().await;
    let addr = broker.handle.local_addr();
    let mut admin = login(addr, "admin", "admin-pw").await;
    for t in ["readable", "hidden"] {
        assert_eq!(
            create_topic(&mut admin, t, 1, &[]).await.topics[0].error_code,
            0
        );
    }
    // A group to describe: a simple commit creates it.
    commit(&mut admin, "g", &["readable"], 1).await;
    allow(
        &mut admin,
        "User:alice",
        &[
            (RESOURCE_TOPIC, "readable", OP_READ),
            (RESOURCE_TOPIC, "readable", OP_ALTER),
            (RESOURCE_GROUP, "g", OP_DELETE),
            (RESOURCE_GROUP, "g", OP_DESCRIBE),
        ],
    )
    .await;
    let mut alice = login(addr, "alice", "alice-pw").await;

    // READ and ALTER on the topic, DESCRIBE implied by either.
    let (md, dtp) = topic_operations(&mut alice).await;
    let expected = vec![("readable".to_string(), bits(&[3, 7, 8]))];
    assert_eq!(md, expected);
    assert_eq!(dtp, expected);
    // DELETE and DESCRIBE on the group.
    assert_eq!(group_operations(&mut alice, "g").await, (0, bits(&[6, 8])));
    // No cluster DESCRIBE: 0 in Metadata v10 and DescribeCluster.
    assert_eq!(cluster_operations(&mut alice).await, (0, 0));
    allow(
        &mut admin,
        "User:alice",
        &[(RESOURCE_CLUSTER, "kafka-cluster", OP_ALTER)],
    )
    .await;
    assert_eq!(
        cluster_operations(&mut alice).await,
        (bits(&[7, 8]), bits(&[7, 8]))
    );

    // A super user may do everything each resource supports.
    let (md, dtp) = topic_operations(&mut admin).await;
    assert_eq!(
        md,
        [
            ("hidden".to_string(), bits(ALL_TOPIC_OPS)),
            ("readable".to_string(), bits(ALL_TOPIC_OPS))
        ]
    );
    assert_eq!(dtp, md);
    assert_eq!(
        group_operations(&mut admin, "g").await,
        (0, bits(ALL_GROUP_OPS))
    );
    let all = bits(ALL_CLUSTER_OPS);
    assert_eq!(cluster_operations(&mut admin).await, (all, all));
}

#[tokio::test]
async fn without_an_authoriser_every_supported_operation_is_reported() {
    let broker = start_broker_with(&[]).await;
    let mut c = RawClient::connect(broker.handle.local_addr()).await;
    assert_eq!(
        create_topic(&mut c, "t", 1, &[]).await.topics[0].error_code,
        0
    );
    commit(&mut c, "g", &["t"], 1).await;
    let (md, dtp) = topic_operations(&mut c).await;
    assert_eq!(md, [("t".to_string(), bits(ALL_TOPIC_OPS))]);
    assert_eq!(dtp, md);
    assert_eq!(
        group_operations(&mut c, "g").await,
        (0, bits(ALL_GROUP_OPS))
    );
    let all = bits(ALL_CLUSTER_OPS);
    assert_eq!(cluster_operations(&mut c).await, (all, all));
}

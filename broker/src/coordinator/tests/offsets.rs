//! OffsetCommit / OffsetFetch / OffsetDelete rules, and group administration APIs.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::offset_delete_request::{
    OffsetDeleteRequestPartition, OffsetDeleteRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::{
    OffsetFetchRequestGroup, OffsetFetchRequestTopics,
};

use super::membership::two_stable_members;
use super::*;

fn code(e: ErrorCode) -> i16 {
    e.code()
}

fn delete_req(group: &str, parts: &[(&str, i32)]) -> OffsetDeleteRequest {
    OffsetDeleteRequest::default()
        .with_group_id(gid(group))
        .with_topics(
            parts
                .iter()
                .map(|(t, p)| {
                    OffsetDeleteRequestTopic::default()
                        .with_name(TopicName(s(t)))
                        .with_partitions(vec![
                            OffsetDeleteRequestPartition::default().with_partition_index(*p)
                        ])
                })
                .collect(),
        )
}

#[tokio::test]
async fn simple_commit_creates_group_and_fetch_returns_it() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let r = wire::commit(
        &c,
        commit_req(
            "admin",
            -1,
            "",
            &[("orders", 0, 42), ("orders", 7, 1), ("nope", 0, 1)],
        ),
        8,
    )
    .await;
    assert_eq!(
        commit_codes(&r),
        vec![
            NONE,
            code(ErrorCode::UnknownTopicOrPartition),
            code(ErrorCode::UnknownTopicOrPartition)
        ]
    );
    assert_eq!(describe(&c, "admin").await, ("Empty".to_string(), 0));
    let got = fetch(&c, "admin", Some(&[("orders", 0), ("orders", 1)])).await;
    assert_eq!(
        got,
        vec![
            ("orders".to_string(), 0, 42, 3, "meta".to_string()),
            ("orders".to_string(), 1, -1, -1, String::new()),
        ]
    );
    assert_eq!(fetch(&c, "admin", None).await.len(), 1);
    assert!(fetch(&c, "never-seen", None).await.is_empty());
    // Metadata over offset.metadata.max.bytes is refused.
    let mut big = commit_req("admin", -1, "", &[("orders", 1, 5)]);
    big.topics[0].partitions[0].committed_metadata = Some(s(&"x".repeat(5000)));
    let r = wire::commit(&c, big, 8).await;
    assert_eq!(
        commit_codes(&r),
        vec![code(ErrorCode::OffsetMetadataTooLarge)]
    );
    // Leader epoch is only stored from v6.
    let r = wire::commit(&c, commit_req("admin", -1, "", &[("audit", 0, 9)]), 5).await;
    assert_eq!(commit_codes(&r), vec![NONE]);
    let got = fetch(&c, "admin", Some(&[("audit", 0)])).await;
    assert_eq!(got[0].2, 9);
    assert_eq!(got[0].3, -1);
}

#[tokio::test(start_paused = true)]
async fn member_commit_validation() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let (leader, follower, generation) = two_stable_members(&c, "g").await;
    let r = wire::commit(
        &c,
        commit_req("g", generation, &follower, &[("orders", 1, 10)]),
        8,
    )
    .await;
    assert_eq!(commit_codes(&r), vec![NONE]);
    let r = wire::commit(
        &c,
        commit_req("g", generation + 1, &follower, &[("orders", 1, 11)]),
        8,
    )
    .await;
    assert_eq!(commit_codes(&r), vec![code(ErrorCode::IllegalGeneration)]);
    let r = wire::commit(
        &c,
        commit_req("g", generation, "stranger", &[("orders", 1, 11)]),
        8,
    )
    .await;
    assert_eq!(commit_codes(&r), vec![code(ErrorCode::UnknownMemberId)]);
    // An admin commit to a group with members is refused.
    let r = wire::commit(&c, commit_req("g", -1, "", &[("orders", 1, 11)]), 8).await;
    assert_eq!(commit_codes(&r), vec![code(ErrorCode::UnknownMemberId)]);
    assert_eq!(fetch(&c, "g", Some(&[("orders", 1)])).await[0].2, 10);
    // Missing group with a generation: ILLEGAL_GENERATION before v9, GROUP_ID_NOT_FOUND from v9.
    let r = wire::commit(&c, commit_req("zz", 1, "m", &[("orders", 0, 1)]), 8).await;
    assert_eq!(commit_codes(&r), vec![code(ErrorCode::IllegalGeneration)]);
    let r = wire::commit(&c, commit_req("zz", 1, "m", &[("orders", 0, 1)]), 9).await;
    assert_eq!(commit_codes(&r), vec![code(ErrorCode::GroupIdNotFound)]);
    // During CompletingRebalance a valid member gets REBALANCE_IN_PROGRESS.
    let c2 = c.clone();
    let f2 = follower.clone();
    let fj =
        tokio::spawn(
            async move { join(&c2, join_req("g", &f2, subscription(&["audit"])), 5).await },
        );
    tokio::task::yield_now().await;
    let lj = join(&c, join_req("g", &leader, subscription(&["orders"])), 5).await;
    let _ = fj.await.unwrap();
    assert_eq!(describe(&c, "g").await.0, "CompletingRebalance");
    let r = wire::commit(
        &c,
        commit_req("g", lj.generation_id, &leader, &[("orders", 1, 12)]),
        8,
    )
    .await;
    assert_eq!(commit_codes(&r), vec![code(ErrorCode::RebalanceInProgress)]);
}

#[tokio::test(start_paused = true)]
async fn offset_delete_rules() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let r = wire::delete_offsets(&c, delete_req("missing", &[("orders", 0)]), 0).await;
    assert_eq!(r.error_code, code(ErrorCode::GroupIdNotFound));

    // Active consumer group subscribed to "orders": that topic is protected, "audit" is not.
    let (_l, _f, generation) = two_stable_members(&c, "g").await;
    let r = wire::commit(
        &c,
        commit_req("g", generation, &_l, &[("orders", 0, 5), ("audit", 0, 6)]),
        8,
    )
    .await;
    assert_eq!(commit_codes(&r), vec![NONE, NONE]);
    let r = wire::delete_offsets(&c, delete_req("g", &[("orders", 0), ("audit", 0)]), 0).await;
    assert_eq!(r.error_code, NONE);
    let codes: Vec<i16> = r
        .topics
        .iter()
        .map(|t| t.partitions[0].error_code)
        .collect();
    assert_eq!(codes, vec![code(ErrorCode::GroupSubscribedToTopic), NONE]);
    let left = fetch(&c, "g", None).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, "orders");

    // A non-consumer group with members cannot have offsets deleted at all.
    let connect = join_req("w", "", subscription(&[])).with_protocol_type(s("connect"));
    let j = join(&c, connect, 5).await;
    assert_eq!(j.error_code, NONE);
    let r = wire::delete_offsets(&c, delete_req("w", &[("orders", 0)]), 0).await;
    assert_eq!(r.error_code, code(ErrorCode::NonEmptyGroup));

    // An empty group's offsets can be deleted.
    wire::commit(&c, commit_req("simple", -1, "", &[("orders", 2, 1)]), 8).await;
    let r = wire::delete_offsets(&c, delete_req("simple", &[("orders", 2)]), 0).await;
    assert_eq!(r.topics[0].partitions[0].error_code, NONE);
    assert!(fetch(&c, "simple", None).await.is_empty());
}

#[tokio::test]
async fn offset_fetch_many_groups() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    wire::commit(
        &c,
        commit_req("a", -1, "", &[("orders", 0, 1), ("orders", 2, 3)]),
        8,
    )
    .await;
    wire::commit(&c, commit_req("b", -1, "", &[("audit", 0, 7)]), 8).await;
    let req = OffsetFetchRequest::default().with_groups(vec![
        OffsetFetchRequestGroup::default()
            .with_group_id(gid("a"))
            .with_topics(None),
        OffsetFetchRequestGroup::default()
            .with_group_id(gid("b"))
            .with_topics(Some(vec![OffsetFetchRequestTopics::default()
                .with_name(TopicName(s("audit")))
                .with_partition_indexes(vec![0])])),
        OffsetFetchRequestGroup::default()
            .with_group_id(gid("c"))
            .with_topics(None),
    ]);
    let r = wire::fetch_offsets(&c, req, 8).await;
    assert_eq!(r.groups.len(), 3);
    let a = &r.groups[0];
    assert_eq!(a.group_id.0.as_str(), "a");
    let offs: Vec<(i32, i64)> = a.topics[0]
        .partitions
        .iter()
        .map(|p| (p.partition_index, p.committed_offset))
        .collect();
    assert_eq!(offs, vec![(0, 1), (2, 3)]);
    assert_eq!(r.groups[1].topics[0].partitions[0].committed_offset, 7);
    assert!(r.groups[2].topics.is_empty());
    assert!(r.groups.iter().all(|g| g.error_code == NONE));
}

#[tokio::test(start_paused = true)]
async fn list_describe_delete_groups() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let (_l, _f, _generation) = two_stable_members(&c, "active").await;
    wire::commit(&c, commit_req("idle", -1, "", &[("orders", 0, 1)]), 8).await;

    let r = wire::list(&c, ListGroupsRequest::default(), 3).await;
    let names: Vec<&str> = r.groups.iter().map(|g| g.group_id.0.as_str()).collect();
    assert_eq!(names, vec!["active", "idle"]);
    assert_eq!(r.groups[0].protocol_type.as_str(), "consumer");
    assert_eq!(r.groups[1].protocol_type.as_str(), "");
    let r = wire::list(
        &c,
        ListGroupsRequest::default().with_states_filter(vec![s("stable")]),
        4,
    )
    .await;
    assert_eq!(r.groups.len(), 1);
    assert_eq!(r.groups[0].group_state.as_str(), "Stable");
    let r = wire::list(
        &c,
        ListGroupsRequest::default().with_types_filter(vec![s("consumer")]),
        5,
    )
    .await;
    assert!(r.groups.is_empty());
    let r = wire::list(
        &c,
        ListGroupsRequest::default().with_types_filter(vec![s("Classic")]),
        5,
    )
    .await;
    assert_eq!(r.groups.len(), 2);
    assert_eq!(r.groups[0].group_type.as_str(), "classic");

    let r = wire::describe_all(
        &c,
        DescribeGroupsRequest::default()
            .with_groups(vec![gid("active"), gid("unknown")])
            .with_include_authorized_operations(true),
        5,
    )
    .await;
    let active = &r.groups[0];
    assert_eq!(active.group_state.as_str(), "Stable");
    assert_eq!(active.protocol_data.as_str(), "range");
    assert_eq!(active.members.len(), 2);
    assert!(active.members.iter().all(|m| m.client_id.as_str() == "app"));
    assert!(active
        .members
        .iter()
        .all(|m| m.client_host.as_str() == "/127.0.0.1"));
    assert!(active.members.iter().all(|m| !m.member_metadata.is_empty()));
    let assigned: Vec<&[u8]> = active
        .members
        .iter()
        .map(|m| m.member_assignment.as_ref())
        .collect();
    assert!(assigned.contains(&b"L".as_slice()) && assigned.contains(&b"F".as_slice()));
    // Not the coordinator's to say: the request path fills it in from the authoriser.
    assert_eq!(active.authorized_operations, i32::MIN);
    assert_eq!(r.groups[1].group_state.as_str(), "Dead");
    assert_eq!(r.groups[1].error_code, NONE);
    let r = wire::describe_all(
        &c,
        DescribeGroupsRequest::default().with_groups(vec![gid("unknown")]),
        6,
    )
    .await;
    assert_eq!(r.groups[0].error_code, code(ErrorCode::GroupIdNotFound));

    let r = wire::delete(
        &c,
        DeleteGroupsRequest::default().with_groups_names(vec![
            gid("active"),
            gid("idle"),
            gid("unknown"),
        ]),
        2,
    )
    .await;
    let codes: Vec<i16> = r.results.iter().map(|x| x.error_code).collect();
    assert_eq!(
        codes,
        vec![
            code(ErrorCode::NonEmptyGroup),
            NONE,
            code(ErrorCode::GroupIdNotFound)
        ]
    );
    assert!(fetch(&c, "idle", None).await.is_empty());
    let r = wire::list(&c, ListGroupsRequest::default(), 4).await;
    assert_eq!(r.groups.len(), 1);
}

#[tokio::test]
async fn housekeeping_expires_offsets_and_removes_empty_groups() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = CoordinatorConfig {
        offsets_retention_ms: 60_000,
        ..config()
    };
    let c = open_with(dir.path(), cfg);
    wire::commit(&c, commit_req("old", -1, "", &[("orders", 0, 1)]), 8).await;
    let now = super::super::now_ms();
    c.housekeeping(now);
    assert_eq!(fetch(&c, "old", None).await.len(), 1, "not yet expired");
    c.housekeeping(now + 61_000);
    assert!(fetch(&c, "old", None).await.is_empty());
    let r = wire::list(&c, ListGroupsRequest::default(), 4).await;
    assert!(
        r.groups.is_empty(),
        "empty group without offsets is removed"
    );
}

#[tokio::test]
async fn deleted_topic_offsets_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    wire::commit(
        &c,
        commit_req("g", -1, "", &[("orders", 0, 1), ("audit", 0, 2)]),
        8,
    )
    .await;
    c.on_topic_deleted("orders");
    let left = fetch(&c, "g", None).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, "audit");
    drop(c);
    let c = open_with(dir.path(), config());
    assert_eq!(fetch(&c, "g", None).await.len(), 1);
}

//! The coordinator's own API, with no protocol message in sight: one group's life from first
//! join to deletion through the plain request and outcome types.

use ferrokafka_protocol::ErrorCode;

use super::*;
use crate::coordinator::{
    CommitPartition, CommitTopic, GroupFilter, Heartbeat, JoinRequest, LeavingMember, OffsetCommit,
    PartitionOffset, SyncRequest,
};

fn plain_join(member_id: &str) -> JoinRequest {
    JoinRequest {
        group_id: "g".to_string(),
        member_id: member_id.to_string(),
        session_timeout_ms: 10_000,
        rebalance_timeout_ms: 5_000,
        protocol_type: "consumer".to_string(),
        protocols: vec![("range".to_string(), subscription(&["orders"]))],
        require_known_member_id: true,
        client: client("plain"),
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
async fn a_group_lives_and_dies_through_plain_types() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let first = c.join_group(plain_join("")).await;
    assert_eq!(first.error, Some(ErrorCode::MemberIdRequired));
    assert!(first.member_id.starts_with("plain-"));
    let joined = c.join_group(plain_join(&first.member_id)).await;
    assert_eq!(joined.error, None);
    assert_eq!(joined.generation, 1);
    assert_eq!(joined.leader, first.member_id);
    assert_eq!(joined.protocol_name.as_deref(), Some("range"));
    assert_eq!(joined.members.len(), 1);
    assert_eq!(joined.members[0].metadata, subscription(&["orders"]));

    let me = joined.member_id.clone();
    let synced = c
        .sync_group(SyncRequest {
            group_id: "g".to_string(),
            member_id: me.clone(),
            generation_id: 1,
            assignments: vec![(me.clone(), bytes::Bytes::from_static(b"A"))],
            ..Default::default()
        })
        .await;
    assert_eq!(synced.error, None);
    assert_eq!(synced.assignment.as_ref(), b"A");
    let beat = Heartbeat {
        group_id: "g".to_string(),
        member_id: me.clone(),
        generation_id: 1,
        instance_id: None,
    };
    assert_eq!(c.heartbeat(beat.clone()).await, Ok(()));

    let commit = OffsetCommit {
        group_id: "g".to_string(),
        generation_id: 1,
        member_id: me.clone(),
        topics: vec![CommitTopic {
            name: "orders".to_string(),
            partitions: vec![
                CommitPartition {
                    partition: 0,
                    offset: 42,
                    leader_epoch: 3,
                    metadata: Some("m".to_string()),
                },
                CommitPartition {
                    partition: 9,
                    offset: 1,
                    leader_epoch: -1,
                    metadata: None,
                },
            ],
        }],
        ..Default::default()
    };
    assert_eq!(
        c.offset_commit(&commit).await,
        vec![vec![None, Some(ErrorCode::UnknownTopicOrPartition)]]
    );
    let fetched = c.offset_fetch("g", None).await;
    assert_eq!(fetched.error, None);
    assert_eq!(fetched.topics.len(), 1);
    assert_eq!(
        fetched.topics[0].partitions,
        vec![PartitionOffset {
            partition: 0,
            offset: 42,
            leader_epoch: 3,
            metadata: "m".to_string(),
        }]
    );

    let described = c.describe_group("g").await.expect("group exists");
    assert_eq!(described.state, "Stable");
    assert_eq!(described.protocol_data, "range");
    assert_eq!(described.members.len(), 1);
    assert_eq!(described.members[0].client_id, "plain");
    assert_eq!(described.members[0].assignment.as_ref(), b"A");
    let listed = c.list_groups(&GroupFilter::default()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].state, listed[0].group_type),
        ("Stable", "classic")
    );

    // Deleting a group with members is refused; after the member leaves it goes.
    assert_eq!(c.delete_group("g").await, Err(ErrorCode::NonEmptyGroup));
    let leaving = [
        LeavingMember {
            member_id: me.clone(),
            instance_id: None,
        },
        LeavingMember {
            member_id: "ghost".to_string(),
            instance_id: None,
        },
    ];
    let left = c.leave_group("g", &leaving).await;
    assert_eq!(left.error, None);
    assert_eq!(left.members, vec![None, Some(ErrorCode::UnknownMemberId)]);
    assert_eq!(
        c.heartbeat(beat).await,
        Err(ErrorCode::UnknownMemberId),
        "a member that left is unknown"
    );
    assert_eq!(
        c.offset_delete("g", &[("orders".to_string(), vec![0])])
            .await,
        Ok(vec![vec![None]])
    );
    assert_eq!(c.delete_group("g").await, Ok(()));
    assert_eq!(
        c.describe_group("g").await.map(|d| d.state),
        Err(ErrorCode::GroupIdNotFound)
    );
}

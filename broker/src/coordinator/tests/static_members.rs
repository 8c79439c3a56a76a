//! KIP-345 static membership: replacement of a rejoining static member without a rebalance,
//! fencing of the old member id, and leaving by group.instance.id.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::LeaveGroupRequest;

use super::*;

fn static_join(group: &str, member_id: &str, instance: &str) -> JoinGroupRequest {
    join_req(group, member_id, subscription(&["orders"])).with_group_instance_id(Some(s(instance)))
}

/// Two static members in a Stable group; returns (member ids by instance "i1","i2", generation).
async fn stable_static_group(c: &Arc<GroupCoordinator>) -> (String, String, i32, String) {
    let c1 = c.clone();
    let a = tokio::spawn(async move { join(&c1, static_join("g", "", "i1"), 5).await });
    let c2 = c.clone();
    let b = tokio::spawn(async move { join(&c2, static_join("g", "", "i2"), 5).await });
    let a = a.await.unwrap();
    let b = b.await.unwrap();
    assert_eq!(a.error_code, NONE);
    assert_eq!(b.error_code, NONE);
    assert!(
        a.member_id.starts_with("i1-"),
        "static ids start with the instance id"
    );
    assert_eq!(a.generation_id, b.generation_id);
    let generation = b.generation_id;
    let (a_id, b_id) = (a.member_id.to_string(), b.member_id.to_string());
    let leader = a.leader.to_string();
    let l = wire::sync(
        c,
        sync_req("g", generation, &leader, &[(&a_id, b"A"), (&b_id, b"B")]),
        5,
    )
    .await;
    assert_eq!(l.error_code, NONE);
    (a_id, b_id, generation, leader)
}

/// The initial rebalance delay gathers both static members into the first generation.
fn delayed() -> CoordinatorConfig {
    CoordinatorConfig {
        group_initial_rebalance_delay_ms: 3_000,
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
async fn static_member_rejoin_replaces_old_id_without_rebalance() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), delayed());
    let (a_id, b_id, generation, _leader) = stable_static_group(&c).await;
    assert_eq!(describe(&c, "g").await, ("Stable".to_string(), 2));
    // i2 restarts: unknown member id, same instance id and protocols.
    let r = wire::join_from(&c, static_join("g", "", "i2"), 5, client("app")).await;
    assert_eq!(r.error_code, NONE);
    assert_ne!(r.member_id.as_str(), b_id);
    assert_eq!(r.generation_id, generation, "no new generation");
    assert_eq!(describe(&c, "g").await, ("Stable".to_string(), 2));
    let new_b = r.member_id.to_string();
    // The old incarnation is fenced everywhere.
    let hb = wire::hb(
        &c,
        heartbeat_req("g", generation, &b_id).with_group_instance_id(Some(s("i2"))),
        4,
    )
    .await;
    assert_eq!(hb.error_code, ErrorCode::FencedInstanceId.code());
    let hb = wire::hb(
        &c,
        heartbeat_req("g", generation, &new_b).with_group_instance_id(Some(s("i2"))),
        4,
    )
    .await;
    assert_eq!(hb.error_code, NONE);
    // The new id keeps the old assignment.
    let sync = wire::sync(
        &c,
        sync_req("g", generation, &new_b, &[]).with_group_instance_id(Some(s("i2"))),
        5,
    )
    .await;
    assert_eq!(sync.error_code, NONE);
    assert_eq!(sync.assignment.as_ref(), b"B");
    let commit = wire::commit(
        &c,
        commit_req("g", generation, &b_id, &[("orders", 0, 1)])
            .with_group_instance_id(Some(s("i2"))),
        8,
    )
    .await;
    assert_eq!(
        commit_codes(&commit),
        vec![ErrorCode::FencedInstanceId.code()]
    );

    // Leaving by instance id with a stale member id is fenced; with the right one it works.
    let r = wire::leave(
        &c,
        LeaveGroupRequest::default()
            .with_group_id(gid("g"))
            .with_members(vec![
                MemberIdentity::default()
                    .with_member_id(s(&b_id))
                    .with_group_instance_id(Some(s("i2"))),
                MemberIdentity::default().with_group_instance_id(Some(s("i1"))),
            ]),
        4,
    )
    .await;
    let codes: Vec<i16> = r.members.iter().map(|m| m.error_code).collect();
    assert_eq!(codes, vec![ErrorCode::FencedInstanceId.code(), NONE]);
    let (_, members) = describe(&c, "g").await;
    assert_eq!(members, 1);
    let _ = a_id;
}

/// A static leader rejoining on v9 learns the members but is told to skip the assignment.
#[tokio::test(start_paused = true)]
async fn static_leader_rejoin_v9_skips_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), delayed());
    let (a_id, _b_id, generation, leader) = stable_static_group(&c).await;
    let leader_instance = if leader == a_id { "i1" } else { "i2" };
    let r = join(&c, static_join("g", "", leader_instance), 9).await;
    assert_eq!(r.error_code, NONE);
    assert_eq!(r.generation_id, generation);
    assert_eq!(
        r.leader, r.member_id,
        "the new id of the leader stays leader"
    );
    assert!(r.skip_assignment);
    assert_eq!(r.members.len(), 2);
}

//! Join/sync/heartbeat/leave scenarios, with paused tokio time for every timer.

use std::time::Duration;

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::LeaveGroupRequest;

use super::*;

fn code(e: ErrorCode) -> i16 {
    e.code()
}

/// Three members join together, the leader assigns, everyone syncs and heartbeats.
#[tokio::test(start_paused = true)]
async fn three_members_join_sync_and_heartbeat() {
    let dir = tempfile::tempdir().unwrap();
    // The initial rebalance delay lets all three land in the first generation.
    let cfg = CoordinatorConfig {
        group_initial_rebalance_delay_ms: 3_000,
        ..Default::default()
    };
    let c = open_with(dir.path(), cfg);
    let mut handles = Vec::new();
    for _ in 0..3 {
        let c = c.clone();
        handles.push(tokio::spawn(async move {
            join(&c, join_req("g1", "", subscription(&["orders"])), 7).await
        }));
    }
    let mut final_responses = Vec::new();
    for h in handles {
        final_responses.push(h.await.unwrap());
    }
    assert_eq!(final_responses.len(), 3);
    assert_eq!(final_responses[0].generation_id, 1);
    let generation = final_responses[0].generation_id;
    assert!(final_responses
        .iter()
        .all(|r| r.generation_id == generation && r.error_code == NONE));
    let leader_id = final_responses[0].leader.to_string();
    let leader = final_responses
        .iter()
        .find(|r| r.member_id.as_str() == leader_id)
        .expect("leader among members");
    assert_eq!(leader.members.len(), 3, "leader gets every member");
    assert_eq!(leader.protocol_name.as_deref(), Some("range"));
    assert_eq!(leader.protocol_type.as_deref(), Some("consumer"));
    for r in &final_responses {
        if r.member_id.as_str() != leader_id {
            assert!(r.members.is_empty(), "followers get no member list");
        }
    }
    let ids: Vec<String> = final_responses
        .iter()
        .map(|r| r.member_id.to_string())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("app-")));
    assert_eq!(describe(&c, "g1").await.0, "CompletingRebalance");

    // Followers sync first and wait for the leader.
    let mut follower_syncs = Vec::new();
    for id in ids.iter().filter(|id| **id != leader_id) {
        let c = c.clone();
        let id = id.clone();
        follower_syncs.push((
            id.clone(),
            tokio::spawn(
                async move { wire::sync(&c, sync_req("g1", generation, &id, &[]), 5).await },
            ),
        ));
    }
    tokio::task::yield_now().await;
    let assignments: Vec<(String, Vec<u8>)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), vec![i as u8; 4]))
        .collect();
    let refs: Vec<(&str, &[u8])> = assignments
        .iter()
        .map(|(id, a)| (id.as_str(), a.as_slice()))
        .collect();
    let lr = wire::sync(&c, sync_req("g1", generation, &leader_id, &refs), 5).await;
    assert_eq!(lr.error_code, NONE);
    assert_eq!(lr.protocol_name.as_deref(), Some("range"));
    let expected = |id: &str| {
        assignments
            .iter()
            .find(|(m, _)| m == id)
            .map(|(_, a)| a.clone())
            .unwrap()
    };
    assert_eq!(lr.assignment.to_vec(), expected(&leader_id));
    for (id, h) in follower_syncs {
        let r = h.await.unwrap();
        assert_eq!(r.error_code, NONE);
        assert_eq!(r.assignment.to_vec(), expected(&id));
    }
    assert_eq!(describe(&c, "g1").await, ("Stable".to_string(), 3));
    for id in &ids {
        let hb = wire::hb(&c, heartbeat_req("g1", generation, id), 4).await;
        assert_eq!(hb.error_code, NONE);
    }
    let stale = wire::hb(&c, heartbeat_req("g1", generation - 1, &ids[0]), 4).await;
    assert_eq!(stale.error_code, code(ErrorCode::IllegalGeneration));
    let unknown = wire::hb(&c, heartbeat_req("g1", generation, "nobody"), 4).await;
    assert_eq!(unknown.error_code, code(ErrorCode::UnknownMemberId));
}

/// KIP-394: v4+ joins with an empty member id get MEMBER_ID_REQUIRED and an id to rejoin with.
#[tokio::test(start_paused = true)]
async fn member_id_required_then_rejoin() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let first = wire::join_from(
        &c,
        join_req("g", "", subscription(&["orders"])),
        4,
        client("svc"),
    )
    .await;
    assert_eq!(first.error_code, code(ErrorCode::MemberIdRequired));
    assert!(first.member_id.starts_with("svc-"), "{:?}", first.member_id);
    assert_eq!(describe(&c, "g").await, ("Empty".to_string(), 0));
    let second = wire::join_from(
        &c,
        join_req("g", &first.member_id, subscription(&["orders"])),
        4,
        client("svc"),
    )
    .await;
    assert_eq!(second.error_code, NONE);
    assert_eq!(second.member_id, first.member_id);
    assert_eq!(second.generation_id, 1);
    assert_eq!(second.leader, first.member_id);
    // v3 and older get a member id right away.
    let old = wire::join_from(
        &c,
        join_req("g-old", "", subscription(&["orders"])),
        3,
        client("svc"),
    )
    .await;
    assert_eq!(old.error_code, NONE);
    assert!(!old.member_id.is_empty());
}

#[tokio::test(start_paused = true)]
async fn join_validation_errors() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let r = wire::join_anon(&c, join_req("", "", subscription(&[])), 5).await;
    assert_eq!(r.error_code, code(ErrorCode::InvalidGroupId));
    let r = wire::join_anon(
        &c,
        join_req("g", "", subscription(&[])).with_session_timeout_ms(10),
        5,
    )
    .await;
    assert_eq!(r.error_code, code(ErrorCode::InvalidSessionTimeout));
    let r = wire::join_anon(&c, join_req("missing", "m-1", subscription(&[])), 5).await;
    assert_eq!(r.error_code, code(ErrorCode::UnknownMemberId));
    let a = join(&c, join_req("g", "", subscription(&["orders"])), 5).await;
    assert_eq!(a.error_code, NONE);
    let other_type = join_req("g", "", subscription(&[])).with_protocol_type(s("connect"));
    let r = join(&c, other_type, 5).await;
    assert_eq!(r.error_code, code(ErrorCode::InconsistentGroupProtocol));
}

/// A member that stops heartbeating is removed after its session timeout; the group
/// rebalances and the expired member is told UNKNOWN_MEMBER_ID.
#[tokio::test(start_paused = true)]
async fn session_expiry_triggers_rebalance() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let (a, b, generation) = two_stable_members(&c, "g").await;
    // Only `a` keeps heartbeating.
    let mut saw_rebalance = false;
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let hb = wire::hb(&c, heartbeat_req("g", generation, &a), 4).await;
        if hb.error_code == code(ErrorCode::RebalanceInProgress) {
            saw_rebalance = true;
            break;
        }
        assert_eq!(hb.error_code, NONE);
    }
    assert!(saw_rebalance, "b's expiry must start a rebalance");
    let rejoin = join(&c, join_req("g", &a, subscription(&["orders"])), 5).await;
    assert_eq!(rejoin.error_code, NONE);
    assert_eq!(rejoin.generation_id, generation + 1);
    assert_eq!(rejoin.leader.as_str(), a.as_str());
    assert_eq!(rejoin.members.len(), 1);
    let hb = wire::hb(&c, heartbeat_req("g", generation, &b), 4).await;
    assert_eq!(hb.error_code, code(ErrorCode::UnknownMemberId));
}

/// Joins two members, syncs, returns (leader id, follower id, generation).
pub(super) async fn two_stable_members(
    c: &Arc<GroupCoordinator>,
    group: &str,
) -> (String, String, i32) {
    let a = join(c, join_req(group, "", subscription(&["orders"])), 5).await;
    assert_eq!(a.error_code, NONE);
    let a_id = a.member_id.to_string();
    let c2 = c.clone();
    let g2 = group.to_string();
    let b_task =
        tokio::spawn(
            async move { join(&c2, join_req(&g2, "", subscription(&["orders"])), 5).await },
        );
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    let a2 = join(c, join_req(group, &a_id, subscription(&["orders"])), 5).await;
    let b = b_task.await.unwrap();
    assert_eq!(a2.error_code, NONE);
    assert_eq!(b.error_code, NONE);
    assert_eq!(a2.generation_id, b.generation_id);
    let generation = a2.generation_id;
    let (leader, follower) = if a2.leader == a2.member_id {
        (a_id, b.member_id.to_string())
    } else {
        (b.member_id.to_string(), a_id)
    };
    let l = wire::sync(
        c,
        sync_req(
            group,
            generation,
            &leader,
            &[(&leader, b"L"), (&follower, b"F")],
        ),
        4,
    )
    .await;
    assert_eq!(l.error_code, NONE);
    let f = wire::sync(c, sync_req(group, generation, &follower, &[]), 4).await;
    assert_eq!(f.error_code, NONE);
    assert_eq!(f.assignment.as_ref(), b"F");
    (leader, follower, generation)
}

/// Rebalance timeout: a member that does not rejoin in time is dropped from the group.
#[tokio::test(start_paused = true)]
async fn rebalance_timeout_removes_member_that_did_not_rejoin() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let (leader, follower, generation) = two_stable_members(&c, "g").await;
    // Session 30s outlives the 5s rebalance timeout, so only the rebalance timeout can drop it.
    let c2 = c.clone();
    let l2 = leader.clone();
    let rejoin = tokio::spawn(async move {
        join(
            &c2,
            join_req("g", &l2, subscription(&["orders"])).with_session_timeout_ms(30_000),
            5,
        )
        .await
    });
    tokio::task::yield_now().await;
    assert_eq!(describe(&c, "g").await.0, "PreparingRebalance");
    let hb = wire::hb(&c, heartbeat_req("g", generation, &follower), 4).await;
    assert_eq!(hb.error_code, code(ErrorCode::RebalanceInProgress));
    let r = rejoin.await.unwrap();
    assert_eq!(r.error_code, NONE);
    assert_eq!(r.generation_id, generation + 1);
    assert_eq!(r.members.len(), 1, "follower removed: {:?}", r.members);
    let hb = wire::hb(&c, heartbeat_req("g", generation, &follower), 4).await;
    assert_eq!(hb.error_code, code(ErrorCode::UnknownMemberId));
}

/// group.initial.rebalance.delay.ms: the first rebalance of an empty group waits, and waits
/// again while new members keep arriving.
#[tokio::test(start_paused = true)]
async fn initial_rebalance_delay_extends_while_members_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = CoordinatorConfig {
        group_initial_rebalance_delay_ms: 3_000,
        ..Default::default()
    };
    let c = open_with(dir.path(), cfg);
    let start = tokio::time::Instant::now();
    let c1 = c.clone();
    let a = tokio::spawn(async move {
        let r = join(
            &c1,
            join_req("g", "", subscription(&["orders"])).with_rebalance_timeout_ms(10_000),
            5,
        )
        .await;
        (r, tokio::time::Instant::now())
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    let c2 = c.clone();
    let b = tokio::spawn(async move {
        join(
            &c2,
            join_req("g", "", subscription(&["orders"])).with_rebalance_timeout_ms(10_000),
            5,
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(4_500)).await;
    // 5.5s in: the first delay (3s) was extended by another 3s because b arrived.
    assert_eq!(describe(&c, "g").await.0, "PreparingRebalance");
    let (ra, done_at) = a.await.unwrap();
    let rb = b.await.unwrap();
    assert_eq!(ra.error_code, NONE);
    assert_eq!(rb.error_code, NONE);
    assert_eq!(ra.generation_id, 1);
    assert_eq!(rb.generation_id, 1);
    assert_eq!(done_at - start, Duration::from_secs(6));
    let leader = if ra.leader == ra.member_id { &ra } else { &rb };
    assert_eq!(leader.members.len(), 2);
}

/// If the leader never sends SyncGroup, the members that did not sync are removed after the
/// rebalance timeout and the waiting followers are told to rejoin.
#[tokio::test(start_paused = true)]
async fn leader_that_never_syncs_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let (leader, follower, generation) = two_stable_members(&c, "g").await;
    // Follower rejoins with new metadata: both must rejoin; the leader does too but never syncs.
    let c1 = c.clone();
    let f = follower.clone();
    let fj =
        tokio::spawn(
            async move { join(&c1, join_req("g", &f, subscription(&["audit"])), 5).await },
        );
    tokio::task::yield_now().await;
    let lj = join(&c, join_req("g", &leader, subscription(&["orders"])), 5).await;
    let fj = fj.await.unwrap();
    assert_eq!(lj.generation_id, generation + 1);
    assert_eq!(fj.generation_id, generation + 1);
    let c2 = c.clone();
    let f2 = follower.clone();
    let fs =
        tokio::spawn(
            async move { wire::sync(&c2, sync_req("g", generation + 1, &f2, &[]), 4).await },
        );
    let r = fs.await.unwrap();
    assert_eq!(r.error_code, code(ErrorCode::RebalanceInProgress));
    let hb = wire::hb(&c, heartbeat_req("g", generation + 1, &leader), 4).await;
    assert_eq!(hb.error_code, code(ErrorCode::UnknownMemberId));
}

#[tokio::test(start_paused = true)]
async fn sync_errors() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let r = wire::sync(&c, sync_req("nope", 1, "m", &[]), 4).await;
    assert_eq!(r.error_code, code(ErrorCode::UnknownMemberId));
    let (leader, _follower, generation) = two_stable_members(&c, "g").await;
    let r = wire::sync(&c, sync_req("g", generation + 5, &leader, &[]), 4).await;
    assert_eq!(r.error_code, code(ErrorCode::IllegalGeneration));
    let r = wire::sync(
        &c,
        sync_req("g", generation, &leader, &[]).with_protocol_name(Some(s("roundrobin"))),
        5,
    )
    .await;
    assert_eq!(r.error_code, code(ErrorCode::InconsistentGroupProtocol));
    let r = wire::sync(&c, sync_req("g", generation, &leader, &[]), 5).await;
    assert_eq!(r.error_code, NONE);
    assert_eq!(r.assignment.as_ref(), b"L");
    assert_eq!(r.protocol_type.as_deref(), Some("consumer"));
}

/// LeaveGroup v3+: a batch by member id and by group.instance.id, with per-member errors.
#[tokio::test(start_paused = true)]
async fn leave_group_batch() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let (leader, follower, _generation) = two_stable_members(&c, "g").await;
    let req = LeaveGroupRequest::default()
        .with_group_id(gid("g"))
        .with_members(vec![
            MemberIdentity::default().with_member_id(s(&follower)),
            MemberIdentity::default().with_member_id(s("ghost")),
            MemberIdentity::default()
                .with_member_id(s(&leader))
                .with_group_instance_id(Some(s("not-static"))),
        ]);
    let r = wire::leave(&c, req, 4).await;
    assert_eq!(r.error_code, NONE);
    let codes: Vec<i16> = r.members.iter().map(|m| m.error_code).collect();
    assert_eq!(
        codes,
        vec![
            NONE,
            code(ErrorCode::UnknownMemberId),
            code(ErrorCode::UnknownMemberId)
        ]
    );
    assert_eq!(r.members[1].member_id.as_str(), "ghost");
    assert_eq!(
        describe(&c, "g").await,
        ("PreparingRebalance".to_string(), 1)
    );
    // v0: single member, error at the top level.
    let r = wire::leave(
        &c,
        LeaveGroupRequest::default()
            .with_group_id(gid("g"))
            .with_member_id(s(&leader)),
        0,
    )
    .await;
    assert_eq!(r.error_code, NONE);
    assert_eq!(describe(&c, "g").await, ("Empty".to_string(), 0));
    let r = wire::leave(
        &c,
        LeaveGroupRequest::default()
            .with_group_id(gid("g"))
            .with_member_id(s(&leader)),
        0,
    )
    .await;
    assert_eq!(r.error_code, code(ErrorCode::UnknownMemberId));
}

#[tokio::test(start_paused = true)]
async fn group_max_size_is_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = CoordinatorConfig {
        group_max_size: 1,
        ..config()
    };
    let c = open_with(dir.path(), cfg);
    let a = join(&c, join_req("g", "", subscription(&["orders"])), 3).await;
    assert_eq!(a.error_code, NONE);
    let b = join(&c, join_req("g", "", subscription(&["orders"])), 3).await;
    assert_eq!(b.error_code, code(ErrorCode::GroupMaxSizeReached));
    assert_eq!(describe(&c, "g").await.1, 1);
}

//! Durability: offsets and group metadata survive a process that dies without shutdown, and a
//! torn tail of a state file is cut off on reopen.

use std::io::Write;

use super::membership::two_stable_members;
use super::*;

#[tokio::test]
async fn offsets_survive_drop_without_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    {
        let c = open_with(dir.path(), config());
        for i in 0..50 {
            let group = format!("g{}", i % 7);
            let r = wire::commit(
                &c,
                commit_req(&group, -1, "", &[("orders", i % 3, i as i64 * 100)]),
                8,
            )
            .await;
            assert_eq!(commit_codes(&r), vec![NONE]);
        }
        // No shutdown: the process "dies" here.
    }
    let c = open_with(dir.path(), config());
    // Last commit per (group, partition) wins.
    for g in 0..7 {
        let group = format!("g{g}");
        let mut expected: Vec<(String, i32, i64, i32, String)> = Vec::new();
        for i in (0..50).filter(|i| i % 7 == g) {
            let p = i % 3;
            expected.retain(|e| e.1 != p);
            expected.push((
                "orders".to_string(),
                p,
                i as i64 * 100,
                3,
                "meta".to_string(),
            ));
        }
        expected.sort_by_key(|e| e.1);
        assert_eq!(fetch(&c, &group, None).await, expected, "group {group}");
    }
}

#[tokio::test(start_paused = true)]
async fn group_metadata_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (leader, follower, generation) = {
        let c = open_with(dir.path(), config());
        two_stable_members(&c, "g").await
    };
    let c = open_with(dir.path(), config());
    let r = wire::describe_all(
        &c,
        DescribeGroupsRequest::default().with_groups(vec![gid("g")]),
        5,
    )
    .await;
    let g = &r.groups[0];
    assert_eq!(g.group_state.as_str(), "Stable");
    assert_eq!(g.protocol_type.as_str(), "consumer");
    assert_eq!(g.members.len(), 2);
    // Restored members may carry on with their generation...
    let hb = wire::hb(&c, heartbeat_req("g", generation, &leader), 4).await;
    assert_eq!(hb.error_code, NONE);
    let r = wire::commit(
        &c,
        commit_req("g", generation, &follower, &[("orders", 0, 77)]),
        8,
    )
    .await;
    assert_eq!(commit_codes(&r), vec![NONE]);
    // ...and expire like any member when they stop heartbeating.
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    assert_eq!(describe(&c, "g").await, ("Empty".to_string(), 0));
}

#[tokio::test]
async fn torn_tail_is_truncated_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let c = open_with(dir.path(), config());
        let r = wire::commit(&c, commit_req("g", -1, "", &[("orders", 1, 5)]), 8).await;
        assert_eq!(commit_codes(&r), vec![NONE]);
    }
    // Simulate a write cut short: a frame header promising more bytes than exist, in every file.
    let mut sizes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        sizes.push((path.clone(), std::fs::metadata(&path).unwrap().len()));
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&[0, 0, 0, 40, 1, 2, 3, 4, b'{', b'"']).unwrap();
    }
    let c = open_with(dir.path(), config());
    for (path, len) in sizes {
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            len,
            "{}",
            path.display()
        );
    }
    assert_eq!(fetch(&c, "g", Some(&[("orders", 1)])).await[0].2, 5);
    let r = wire::commit(&c, commit_req("g", -1, "", &[("orders", 1, 6)]), 8).await;
    assert_eq!(commit_codes(&r), vec![NONE]);
    drop(c);
    let c = open_with(dir.path(), config());
    assert_eq!(fetch(&c, "g", Some(&[("orders", 1)])).await[0].2, 6);
}

#[tokio::test(start_paused = true)]
async fn shutdown_answers_parked_joins_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = CoordinatorConfig {
        group_initial_rebalance_delay_ms: 3_000,
        ..Default::default()
    };
    let c = open_with(dir.path(), cfg);
    wire::commit(&c, commit_req("g", -1, "", &[("audit", 0, 3)]), 8).await;
    let c2 = c.clone();
    let parked =
        tokio::spawn(
            async move { join(&c2, join_req("g", "", subscription(&["orders"])), 5).await },
        );
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    c.shutdown().await;
    let r = parked.await.unwrap();
    assert_eq!(
        r.error_code,
        ferrokafka_protocol::ErrorCode::CoordinatorNotAvailable.code()
    );
    drop(c);
    let c = open_with(dir.path(), config());
    assert_eq!(fetch(&c, "g", None).await[0].2, 3);
}

/// Many groups committing from several threads at once: nothing deadlocks and every last
/// commit is what a reopened coordinator reads back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commits_across_groups_are_all_durable() {
    let dir = tempfile::tempdir().unwrap();
    {
        let c = open_with(dir.path(), config());
        let mut tasks = Vec::new();
        for t in 0..8 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..100i64 {
                    let group = format!("g{t}-{}", i % 5);
                    let part = (i % 3) as i32;
                    let r = wire::commit(&c, commit_req(&group, -1, "", &[("orders", part, i)]), 8)
                        .await;
                    assert_eq!(commit_codes(&r), vec![NONE]);
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    }
    let c = open_with(dir.path(), config());
    for t in 0..8 {
        for k in 0..5i64 {
            let got = fetch(&c, &format!("g{t}-{k}"), None).await;
            let expected: Vec<(i32, i64)> = (0..3i64)
                .filter_map(|p| {
                    (0..100i64)
                        .filter(|i| i % 5 == k && i % 3 == p)
                        .max()
                        .map(|i| (p as i32, i))
                })
                .collect();
            let got: Vec<(i32, i64)> = got.iter().map(|e| (e.1, e.2)).collect();
            assert_eq!(got, expected, "group g{t}-{k}");
        }
    }
}

//! Every response the group handlers build from the coordinator's outcomes must encode at every
//! version kafka-protocol supports for its API (a field set outside its versions makes the
//! encoder fail). Driven through the handlers' conversions (`wire`).

use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::protocol::{Encodable, Message};

use super::membership::two_stable_members;
use super::*;

fn encodes<T: Encodable + Message + std::fmt::Debug>(r: &T, version: i16) {
    let mut buf = BytesMut::new();
    if let Err(e) = r.encode(&mut buf, version) {
        panic!("v{version} of {r:?} does not encode: {e}");
    }
}

#[tokio::test(start_paused = true)]
async fn responses_encode_at_every_version() {
    let dir = tempfile::tempdir().unwrap();
    let c = open_with(dir.path(), config());
    let (leader, follower, generation) = two_stable_members(&c, "g").await;
    for v in JoinGroupResponse::VERSIONS.min..=JoinGroupResponse::VERSIONS.max {
        // Unknown member and bad group answers carry the error fields only.
        encodes(
            &wire::join_anon(&c, join_req("g", "ghost", subscription(&["orders"])), v).await,
            v,
        );
        encodes(
            &wire::join_anon(&c, join_req("", "", subscription(&["orders"])), v).await,
            v,
        );
    }
    for v in 0..=5 {
        encodes(
            &wire::sync(&c, sync_req("g", generation, &follower, &[]), v).await,
            v,
        );
        encodes(
            &wire::leave(
                &c,
                LeaveGroupRequest::default()
                    .with_group_id(gid("g"))
                    .with_member_id(if v < 3 { s("ghost") } else { s("") })
                    .with_members(if v >= 3 {
                        vec![MemberIdentity::default().with_member_id(s("ghost"))]
                    } else {
                        vec![]
                    }),
                v,
            )
            .await,
            v,
        );
    }
    for v in 0..=4 {
        encodes(
            &wire::hb(&c, heartbeat_req("g", generation, &leader), v).await,
            v,
        );
    }
    for v in 2..=9 {
        let r = wire::commit(
            &c,
            commit_req("g", generation, &leader, &[("orders", 0, 1)]),
            v,
        )
        .await;
        assert_eq!(commit_codes(&r), vec![NONE]);
        encodes(&r, v);
    }
    for v in 1..=7 {
        let req = OffsetFetchRequest::default()
            .with_group_id(gid("g"))
            .with_topics(None);
        let r = wire::fetch_offsets(&c, req, v).await;
        assert_eq!(r.topics.len(), 1);
        encodes(&r, v);
    }
    for v in 8..=9 {
        let req = OffsetFetchRequest::default().with_groups(vec![
            kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup::default()
                .with_group_id(gid("g")),
        ]);
        encodes(&wire::fetch_offsets(&c, req, v).await, v);
    }
    for v in 0..=5 {
        encodes(&wire::list(&c, ListGroupsRequest::default(), v).await, v);
    }
    for v in 0..=6 {
        let req = DescribeGroupsRequest::default()
            .with_groups(vec![gid("g"), gid("missing")])
            .with_include_authorized_operations(v >= 3);
        encodes(&wire::describe_all(&c, req, v).await, v);
    }
    for v in 0..=2 {
        let req = DeleteGroupsRequest::default().with_groups_names(vec![gid("missing")]);
        encodes(&wire::delete(&c, req, v).await, v);
    }
    let req = OffsetDeleteRequest::default().with_group_id(gid("missing"));
    encodes(&wire::delete_offsets(&c, req, 0).await, 0);
}

//! Drives the coordinator the way the broker does, through the group handlers' conversions
//! (request message -> plain input, plain outcome -> response of a version), so the scenario
//! tests keep their wire-level assertions (what each version of an API answers).

use super::*;
use crate::handler::{
    delete_groups, describe_groups, heartbeat, join_group, leave_group, list_groups, offset_commit,
    offset_delete, offset_fetch, sync_group,
};

pub(super) async fn join_from(
    c: &GroupCoordinator,
    req: JoinGroupRequest,
    version: i16,
    client: ClientInfo,
) -> JoinGroupResponse {
    let o = c
        .join_group(join_group::request(req, version, client))
        .await;
    join_group::response(o, version)
}

/// JoinGroup without client identity (member ids are then "-<uuid>").
pub(super) async fn join_anon(
    c: &GroupCoordinator,
    req: JoinGroupRequest,
    version: i16,
) -> JoinGroupResponse {
    join_from(c, req, version, ClientInfo::default()).await
}

pub(super) async fn sync(
    c: &GroupCoordinator,
    req: SyncGroupRequest,
    version: i16,
) -> SyncGroupResponse {
    let o = c.sync_group(sync_group::request(req, version)).await;
    sync_group::response(o, version)
}

pub(super) async fn hb(
    c: &GroupCoordinator,
    req: HeartbeatRequest,
    version: i16,
) -> HeartbeatResponse {
    let r = c.heartbeat(heartbeat::request(req, version)).await;
    heartbeat::response(r)
}

pub(super) async fn leave(
    c: &GroupCoordinator,
    req: LeaveGroupRequest,
    version: i16,
) -> LeaveGroupResponse {
    let group = req.group_id.0.to_string();
    let leaving = leave_group::leaving(req, version);
    let o = c.leave_group(&group, &leaving).await;
    leave_group::response(leaving, o, version)
}

pub(super) async fn commit(
    c: &GroupCoordinator,
    req: OffsetCommitRequest,
    version: i16,
) -> OffsetCommitResponse {
    let results = c
        .offset_commit(&offset_commit::request(&req, version))
        .await;
    offset_commit::response(&req, results)
}

pub(super) async fn fetch_offsets(
    c: &GroupCoordinator,
    req: OffsetFetchRequest,
    version: i16,
) -> OffsetFetchResponse {
    if version <= 7 {
        let o = c
            .offset_fetch(&req.group_id.0, offset_fetch::wanted(&req))
            .await;
        return offset_fetch::one_group_response(o, version);
    }
    let mut groups = Vec::new();
    for g in &req.groups {
        let o = c
            .offset_fetch(&g.group_id.0, offset_fetch::wanted_of(g))
            .await;
        groups.push(offset_fetch::group_response(g.group_id.clone(), o));
    }
    OffsetFetchResponse::default().with_groups(groups)
}

pub(super) async fn delete_offsets(
    c: &GroupCoordinator,
    req: OffsetDeleteRequest,
    _version: i16,
) -> OffsetDeleteResponse {
    let result = c
        .offset_delete(&req.group_id.0, &offset_delete::topics(&req))
        .await;
    offset_delete::response(&req, result)
}

pub(super) async fn list(
    c: &GroupCoordinator,
    req: ListGroupsRequest,
    version: i16,
) -> ListGroupsResponse {
    let listed = c.list_groups(&list_groups::filter(&req, version)).await;
    list_groups::response(listed, version)
}

pub(super) async fn describe_all(
    c: &GroupCoordinator,
    req: DescribeGroupsRequest,
    version: i16,
) -> DescribeGroupsResponse {
    let mut groups = Vec::new();
    for id in req.groups {
        let d = c.describe_group(&id.0).await;
        groups.push(describe_groups::described_group(id, d, version));
    }
    DescribeGroupsResponse::default().with_groups(groups)
}

pub(super) async fn delete(
    c: &GroupCoordinator,
    req: DeleteGroupsRequest,
    _version: i16,
) -> DeleteGroupsResponse {
    let mut results = Vec::new();
    for id in req.groups_names {
        let r = c.delete_group(&id.0).await;
        results.push(delete_groups::result(id, r));
    }
    DeleteGroupsResponse::default().with_results(results)
}

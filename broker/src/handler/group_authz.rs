//! Group authorisation for the group APIs, checked before their handlers run (Kafka's
//! KafkaApis rules): JoinGroup, SyncGroup, Heartbeat, LeaveGroup and OffsetCommit need READ
//! on the group, DescribeGroups needs DESCRIBE, DeleteGroups and OffsetDelete need DELETE,
//! ListGroups lists only describable groups without cluster DESCRIBE; a denied request gets
//! GROUP_AUTHORIZATION_FAILED and the coordinator never sees it. The coordinator stays
//! unaware of authorisation. OffsetFetch (group DESCRIBE per group, topic DESCRIBE) and the
//! topic checks of OffsetCommit/OffsetDelete (topic READ) live in their handler files.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::delete_groups_response::DeletableGroupResult;
use kafka_protocol::messages::describe_groups_response::DescribedGroup;
use kafka_protocol::messages::{
    DeleteGroupsRequest, DescribeGroupsResponse, HeartbeatResponse, JoinGroupResponse,
    LeaveGroupResponse, ListGroupsResponse, OffsetCommitResponse, OffsetDeleteResponse,
    RequestKind, ResponseKind, SyncGroupResponse,
};

use crate::context::{Operation, RequestContext, Resource};

const DENIED: i16 = ErrorCode::GroupAuthorizationFailed.code();

/// The answer to a group request its principal may not make; `None` when it may.
pub fn check(ctx: &RequestContext<'_>, body: &RequestKind) -> Option<ResponseKind> {
    let read = |g: &str| ctx.authorize(Operation::Read, Resource::Group(g));
    match body {
        RequestKind::JoinGroup(r) if !read(r.group_id.as_str()) => Some(ResponseKind::JoinGroup(
            JoinGroupResponse::default()
                .with_error_code(DENIED)
                .with_generation_id(-1),
        )),
        RequestKind::SyncGroup(r) if !read(r.group_id.as_str()) => Some(ResponseKind::SyncGroup(
            SyncGroupResponse::default().with_error_code(DENIED),
        )),
        RequestKind::Heartbeat(r) if !read(r.group_id.as_str()) => Some(ResponseKind::Heartbeat(
            HeartbeatResponse::default().with_error_code(DENIED),
        )),
        RequestKind::LeaveGroup(r) if !read(r.group_id.as_str()) => Some(ResponseKind::LeaveGroup(
            LeaveGroupResponse::default().with_error_code(DENIED),
        )),
        RequestKind::OffsetCommit(r) if !read(r.group_id.as_str()) => {
            let topics = r
                .topics
                .iter()
                .map(|t| super::offset_commit::failed_topic(t, DENIED))
                .collect();
            Some(ResponseKind::OffsetCommit(
                OffsetCommitResponse::default().with_topics(topics),
            ))
        }
        RequestKind::OffsetDelete(r)
            if !ctx.authorize(Operation::Delete, Resource::Group(r.group_id.as_str())) =>
        {
            Some(ResponseKind::OffsetDelete(
                OffsetDeleteResponse::default().with_error_code(DENIED),
            ))
        }
        _ => None,
    }
}

/// DeleteGroups: takes the groups the principal may not DELETE out of the request; their
/// results (GROUP_AUTHORIZATION_FAILED) go back to be appended to the handler's.
pub fn split_delete_groups(
    ctx: &RequestContext<'_>,
    req: &mut DeleteGroupsRequest,
) -> Vec<DeletableGroupResult> {
    let (allowed, denied): (Vec<_>, Vec<_>) = std::mem::take(&mut req.groups_names)
        .into_iter()
        .partition(|g| ctx.authorize(Operation::Delete, Resource::Group(g.as_str())));
    req.groups_names = allowed;
    denied
        .into_iter()
        .map(|g| {
            DeletableGroupResult::default()
                .with_group_id(g)
                .with_error_code(DENIED)
        })
        .collect()
}

/// DescribeGroups: a group the principal may not DESCRIBE is answered with
/// GROUP_AUTHORIZATION_FAILED and nothing else about it; a described group carries the
/// principal's operations on it when the client asked (v3+).
pub fn filter_described(
    ctx: &RequestContext<'_>,
    include_operations: bool,
    resp: &mut DescribeGroupsResponse,
) {
    for g in resp.groups.iter_mut() {
        if !ctx.authorize(Operation::Describe, Resource::Group(g.group_id.as_str())) {
            *g = DescribedGroup::default()
                .with_group_id(g.group_id.clone())
                .with_error_code(DENIED)
                .with_authorized_operations(super::authorized_operations::NOT_REQUESTED);
        } else if include_operations && ctx.api_version >= 3 && g.error_code == 0 {
            g.authorized_operations =
                super::authorized_operations::of(ctx, Resource::Group(g.group_id.as_str()));
        }
    }
}

/// ListGroups: without DESCRIBE on the cluster, only the groups the principal may DESCRIBE.
pub fn filter_listed(ctx: &RequestContext<'_>, resp: &mut ListGroupsResponse) {
    if !ctx.authorize(Operation::Describe, Resource::Cluster) {
        resp.groups
            .retain(|g| ctx.authorize(Operation::Describe, Resource::Group(g.group_id.as_str())));
    }
}

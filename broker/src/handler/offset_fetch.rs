//! OffsetFetch: a group's committed offsets, for one or many groups (v8+).
//! The group state lives in `coordinator/` (one group per call); this file asks it for each
//! requested group, builds the versioned response from its [`GroupOffsets`], and owns the
//! authorisation (Kafka's KafkaApis.handleOffsetFetchRequest): each group needs DESCRIBE (a
//! denied group is answered GROUP_AUTHORIZATION_FAILED on its own, the others normally); each
//! named topic needs DESCRIBE — an unauthorised one is answered per partition with offset -1
//! and TOPIC_AUTHORIZATION_FAILED without asking the coordinator; in the "all topics" form
//! (topics = null) the topics the principal may not describe are left out silently. When the
//! group itself fails, its answer is the coordinator's alone.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::offset_fetch_request::{
    OffsetFetchRequestGroup, OffsetFetchRequestTopic, OffsetFetchRequestTopics,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponseGroup, OffsetFetchResponsePartition, OffsetFetchResponsePartitions,
    OffsetFetchResponseTopic, OffsetFetchResponseTopics,
};
use kafka_protocol::messages::{GroupId, OffsetFetchRequest, OffsetFetchResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::context::{Operation, RequestContext, Resource};
use crate::coordinator::GroupOffsets;
use crate::state::BrokerState;

const TOPIC_DENIED: i16 = ErrorCode::TopicAuthorizationFailed.code();
const GROUP_DENIED: i16 = ErrorCode::GroupAuthorizationFailed.code();

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: OffsetFetchRequest,
) -> OffsetFetchResponse {
    if ctx.api_version >= 8 {
        many_groups(state, ctx, req).await
    } else {
        one_group(state, ctx, req).await
    }
}

fn may_describe_topic(ctx: &RequestContext<'_>, name: &str) -> bool {
    ctx.authorize(Operation::Describe, Resource::Topic(name))
}

/// v1-v7: the request's one group.
async fn one_group(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    mut req: OffsetFetchRequest,
) -> OffsetFetchResponse {
    if !ctx.authorize(Operation::Describe, Resource::Group(req.group_id.as_str())) {
        return OffsetFetchResponse::default().with_error_code(GROUP_DENIED);
    }
    let all_topics = req.topics.is_none();
    let mut denied: Vec<OffsetFetchRequestTopic> = Vec::new();
    if let Some(topics) = req.topics.take() {
        let (allowed, refused): (Vec<_>, Vec<_>) = topics
            .into_iter()
            .partition(|t| may_describe_topic(ctx, t.name.as_str()));
        req.topics = Some(allowed);
        denied = refused;
    }
    let mut resp = fetch_one(state, &req, ctx.api_version).await;
    if resp.error_code != 0 {
        return resp;
    }
    if all_topics {
        resp.topics
            .retain(|t| may_describe_topic(ctx, t.name.as_str()));
    }
    resp.topics.extend(denied.into_iter().map(|t| {
        OffsetFetchResponseTopic::default()
            .with_name(t.name)
            .with_partitions(
                t.partition_indexes
                    .iter()
                    .map(|p| {
                        OffsetFetchResponsePartition::default()
                            .with_partition_index(*p)
                            .with_committed_offset(-1)
                            .with_committed_leader_epoch(-1)
                            .with_metadata(Some(StrBytes::default()))
                            .with_error_code(TOPIC_DENIED)
                    })
                    .collect(),
            )
    }));
    resp
}

/// What the handler decided about one requested group before the coordinator runs.
enum Plan {
    Denied,
    /// Asked of the coordinator; the named topics the principal may not describe, and whether
    /// the group asked for all its topics.
    Asked {
        denied: Vec<OffsetFetchRequestTopics>,
        all_topics: bool,
    },
}

/// v8+: many groups, each authorised on its own.
async fn many_groups(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: OffsetFetchRequest,
) -> OffsetFetchResponse {
    let mut plans = Vec::with_capacity(req.groups.len());
    let mut ids = Vec::with_capacity(req.groups.len());
    let mut asked: Vec<OffsetFetchRequestGroup> = Vec::new();
    for mut g in req.groups {
        ids.push(g.group_id.clone());
        if !ctx.authorize(Operation::Describe, Resource::Group(g.group_id.as_str())) {
            plans.push(Plan::Denied);
            continue;
        }
        let all_topics = g.topics.is_none();
        let mut denied = Vec::new();
        if let Some(topics) = g.topics.take() {
            let (allowed, refused): (Vec<_>, Vec<_>) = topics
                .into_iter()
                .partition(|t| may_describe_topic(ctx, t.name.as_str()));
            g.topics = Some(allowed);
            denied = refused;
        }
        plans.push(Plan::Asked { denied, all_topics });
        asked.push(g);
    }
    let mut answered = if asked.is_empty() {
        Vec::new()
    } else {
        fetch_many(state, &asked).await
    }
    .into_iter();
    let groups = plans
        .into_iter()
        .zip(ids)
        .map(|(plan, id)| match plan {
            Plan::Denied => OffsetFetchResponseGroup::default()
                .with_group_id(id)
                .with_error_code(GROUP_DENIED),
            Plan::Asked { denied, all_topics } => {
                // The coordinator answers each asked group once, in order.
                let mut g = answered
                    .next()
                    .unwrap_or_else(|| OffsetFetchResponseGroup::default().with_group_id(id));
                if g.error_code != 0 {
                    return g;
                }
                if all_topics {
                    g.topics
                        .retain(|t| may_describe_topic(ctx, t.name.as_str()));
                }
                g.topics.extend(denied.into_iter().map(denied_topic));
                g
            }
        })
        .collect();
    OffsetFetchResponse::default().with_groups(groups)
}

fn denied_topic(t: OffsetFetchRequestTopics) -> OffsetFetchResponseTopics {
    OffsetFetchResponseTopics::default()
        .with_name(t.name)
        .with_topic_id(t.topic_id)
        .with_partitions(
            t.partition_indexes
                .iter()
                .map(|p| {
                    OffsetFetchResponsePartitions::default()
                        .with_partition_index(*p)
                        .with_committed_offset(-1)
                        .with_committed_leader_epoch(-1)
                        .with_metadata(Some(StrBytes::default()))
                        .with_error_code(TOPIC_DENIED)
                })
                .collect(),
        )
}

/// The partitions a v1-v7 request names per topic; `None` asks for every committed offset.
pub(crate) fn wanted(req: &OffsetFetchRequest) -> Option<Vec<(String, Vec<i32>)>> {
    req.topics.as_ref().map(|ts| {
        ts.iter()
            .map(|t| (t.name.0.to_string(), t.partition_indexes.clone()))
            .collect()
    })
}

/// The partitions one group of a v8+ request names per topic; `None` asks for all.
pub(crate) fn wanted_of(g: &OffsetFetchRequestGroup) -> Option<Vec<(String, Vec<i32>)>> {
    g.topics.as_ref().map(|ts| {
        ts.iter()
            .map(|t| (t.name.0.to_string(), t.partition_indexes.clone()))
            .collect()
    })
}

/// v1-v7: the coordinator's answer for the request's one group.
async fn fetch_one(
    state: &BrokerState,
    req: &OffsetFetchRequest,
    version: i16,
) -> OffsetFetchResponse {
    let offsets = state
        .groups
        .offset_fetch(&req.group_id.0, wanted(req))
        .await;
    one_group_response(offsets, version)
}

/// The v1-v7 response for one group's offsets: the group error is a field from v2 on (v1
/// reports it per partition), the leader epoch exists from v5 on.
pub(crate) fn one_group_response(offsets: GroupOffsets, version: i16) -> OffsetFetchResponse {
    let GroupOffsets { error, topics } = offsets;
    let err = error.map_or(0, |e| e.code());
    let mut r = OffsetFetchResponse::default();
    if version >= 2 {
        r.error_code = err;
    }
    r.topics = topics
        .into_iter()
        .map(|t| {
            let mut rt = OffsetFetchResponseTopic::default();
            rt.name = TopicName(StrBytes::from_string(t.name));
            rt.partitions = t
                .partitions
                .into_iter()
                .map(|p| {
                    let mut rp = OffsetFetchResponsePartition::default();
                    rp.partition_index = p.partition;
                    rp.committed_offset = p.offset;
                    if version >= 5 {
                        rp.committed_leader_epoch = p.leader_epoch;
                    }
                    rp.metadata = Some(StrBytes::from_string(p.metadata));
                    if version < 2 {
                        rp.error_code = err;
                    }
                    rp
                })
                .collect();
            rt
        })
        .collect();
    r
}

/// v8+: the coordinator's answer for each asked group, in order.
async fn fetch_many(
    state: &BrokerState,
    groups: &[OffsetFetchRequestGroup],
) -> Vec<OffsetFetchResponseGroup> {
    let mut out = Vec::with_capacity(groups.len());
    for rg in groups {
        let offsets = state
            .groups
            .offset_fetch(&rg.group_id.0, wanted_of(rg))
            .await;
        out.push(group_response(rg.group_id.clone(), offsets));
    }
    out
}

/// One group of the v8+ response.
pub(crate) fn group_response(id: GroupId, offsets: GroupOffsets) -> OffsetFetchResponseGroup {
    let mut g = OffsetFetchResponseGroup::default();
    g.group_id = id;
    g.error_code = offsets.error.map_or(0, |e| e.code());
    g.topics = offsets
        .topics
        .into_iter()
        .map(|t| {
            let mut rt = OffsetFetchResponseTopics::default();
            rt.name = TopicName(StrBytes::from_string(t.name));
            rt.partitions = t
                .partitions
                .into_iter()
                .map(|p| {
                    let mut rp = OffsetFetchResponsePartitions::default();
                    rp.partition_index = p.partition;
                    rp.committed_offset = p.offset;
                    rp.committed_leader_epoch = p.leader_epoch;
                    rp.metadata = Some(StrBytes::from_string(p.metadata));
                    rp
                })
                .collect();
            rt
        })
        .collect();
    g
}

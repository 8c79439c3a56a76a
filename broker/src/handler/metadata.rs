//! Metadata: brokers (just this one), topics with their ids and partitions, and topic
//! auto-creation when `auto.create.topics.enable` and the client allows it.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{BrokerId, MetadataRequest, MetadataResponse, TopicName};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::authorized_operations::{self, NOT_REQUESTED};
use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::partition::LEADER_EPOCH;
use crate::state::BrokerState;
use crate::topics::Topic;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: MetadataRequest,
) -> MetadataResponse {
    let version = ctx.api_version;
    // v0 has no allow flag: it always auto-creates, as Kafka did.
    let allow_create =
        state.config.auto_create_topics_enable && (version < 4 || req.allow_auto_topic_creation);
    let mut topics = match req.topics {
        // v0 sends an empty list for "all topics"; v1+ sends null.
        None => all_topics(state, ctx),
        Some(list) if list.is_empty() && version == 0 => all_topics(state, ctx),
        Some(list) => list
            .into_iter()
            .map(|t| match t.name {
                // A topic the principal may not describe is reported as unauthorised (Kafka).
                Some(name)
                    if !ctx.authorize(Operation::Describe, Resource::Topic(name.0.as_str())) =>
                {
                    MetadataResponseTopic::default()
                        .with_name(Some(name))
                        .with_error_code(ErrorCode::TopicAuthorizationFailed.code())
                }
                Some(name) => {
                    // Auto-creation needs CREATE on the cluster or the topic.
                    let may_create = allow_create
                        && (ctx.authorize(Operation::Create, Resource::Cluster)
                            || ctx.authorize(Operation::Create, Resource::Topic(name.0.as_str())));
                    by_name(state, name.0.as_str(), may_create)
                }
                None => match state.topics.get_by_id(&t.topic_id) {
                    // Topic ids are not secret: an unauthorised one is reported with its id
                    // and no name (Kafka).
                    Some(topic)
                        if !ctx.authorize(Operation::Describe, Resource::Topic(&topic.name)) =>
                    {
                        MetadataResponseTopic::default()
                            .with_error_code(ErrorCode::TopicAuthorizationFailed.code())
                            .with_topic_id(t.topic_id)
                    }
                    Some(topic) => describe(&topic, state.node_id),
                    None => MetadataResponseTopic::default()
                        .with_error_code(ErrorCode::UnknownTopicId.code())
                        .with_topic_id(t.topic_id),
                },
            })
            .collect(),
    };
    // Operations only for topics the principal may describe (Kafka leaves the schema default
    // on the unauthorised and unknown-id ones); asked from v8, cluster operations v8-v10.
    if version >= 8 && req.include_topic_authorized_operations {
        for t in topics.iter_mut() {
            let code = t.error_code;
            if code == ErrorCode::TopicAuthorizationFailed.code()
                || code == ErrorCode::UnknownTopicId.code()
            {
                continue;
            }
            if let Some(name) = &t.name {
                t.topic_authorized_operations =
                    authorized_operations::of(ctx, Resource::Topic(name.0.as_str()));
            }
        }
    }
    let cluster_ops = if (8..=10).contains(&version) && req.include_cluster_authorized_operations {
        authorized_operations::of_cluster(ctx)
    } else {
        NOT_REQUESTED
    };
    MetadataResponse::default()
        .with_brokers(vec![MetadataResponseBroker::default()
            .with_node_id(BrokerId(state.node_id))
            .with_host(sb(state
                .endpoint(&ctx.connection.listener_name)
                .host
                .clone()))
            .with_port(state.endpoint(&ctx.connection.listener_name).port)])
        .with_cluster_id(Some(sb(state.cluster_id.clone())))
        .with_controller_id(BrokerId(state.node_id))
        .with_topics(topics)
        .with_cluster_authorized_operations(cluster_ops)
}

/// Every topic the principal may describe; the others are silently left out (Kafka's rule).
fn all_topics(state: &BrokerState, ctx: &RequestContext<'_>) -> Vec<MetadataResponseTopic> {
    state
        .topics
        .all()
        .iter()
        .filter(|t| ctx.authorize(Operation::Describe, Resource::Topic(&t.name)))
        .map(|t| describe(t, state.node_id))
        .collect()
}

fn by_name(state: &BrokerState, name: &str, allow_create: bool) -> MetadataResponseTopic {
    if let Some(topic) = state.topics.get(name) {
        return describe(&topic, state.node_id);
    }
    let unknown = |code: i16| {
        MetadataResponseTopic::default()
            .with_name(Some(TopicName(sb(name))))
            .with_error_code(code)
    };
    if !allow_create {
        return unknown(ErrorCode::UnknownTopicOrPartition.code());
    }
    match state
        .topics
        .create(name, state.config.num_partitions, BTreeMap::new())
    {
        Ok(topic) => describe(&topic, state.node_id),
        // Another connection created it first.
        Err(crate::topics::TopicError::AlreadyExists(_)) => match state.topics.get(name) {
            Some(topic) => describe(&topic, state.node_id),
            None => unknown(ErrorCode::UnknownTopicOrPartition.code()),
        },
        Err(e) => unknown(e.code()),
    }
}

/// The metadata of one topic: every partition led by this node, its only replica. Its
/// authorised operations stay "not requested" (`handle` fills them in when asked).
pub fn describe(topic: &Arc<Topic>, node_id: i32) -> MetadataResponseTopic {
    let partitions = topic
        .partitions
        .iter()
        .map(|p| {
            MetadataResponsePartition::default()
                .with_partition_index(p.index)
                .with_leader_id(BrokerId(node_id))
                .with_leader_epoch(LEADER_EPOCH)
                .with_replica_nodes(vec![BrokerId(node_id)])
                .with_isr_nodes(vec![BrokerId(node_id)])
        })
        .collect();
    MetadataResponseTopic::default()
        .with_name(Some(TopicName(sb(topic.name.clone()))))
        .with_topic_id(topic.id)
        .with_is_internal(false)
        .with_partitions(partitions)
}

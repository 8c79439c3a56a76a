//! CreateTopics: validate names, partitions, replication factor and configs; create durably
//! unless `validate_only`. Replication factor above 1 is refused as Kafka refuses it when
//! there are not enough brokers.

use ferrokafka_protocol::ErrorCode;
use std::collections::BTreeMap;

use kafka_protocol::messages::create_topics_response::{
    CreatableTopicConfigs, CreatableTopicResult,
};
use kafka_protocol::messages::{CreateTopicsRequest, CreateTopicsResponse};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;
use crate::topic_config::TOPIC_CONFIG_KEYS;

/// ConfigSource values as Kafka reports them.
const DYNAMIC_TOPIC_CONFIG: i8 = 1;
const DEFAULT_CONFIG: i8 = 5;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: CreateTopicsRequest,
) -> CreateTopicsResponse {
    let version = ctx.api_version;
    let mut seen = std::collections::HashSet::new();
    let topics = req
        .topics
        .into_iter()
        .map(|t| {
            let name = t.name.0.as_str().to_string();
            let result = CreatableTopicResult::default()
                .with_name(t.name.clone())
                .with_num_partitions(-1)
                .with_replication_factor(-1);
            let fail = |code: i16, message: String| {
                result
                    .clone()
                    .with_error_code(code)
                    .with_error_message(Some(sb(message)))
            };
            if !ctx.authorize(Operation::Create, Resource::Cluster)
                && !ctx.authorize(Operation::Create, Resource::Topic(&name))
            {
                return fail(ErrorCode::TopicAuthorizationFailed.code(), "Authorization failed.".into());
            }
            if !seen.insert(name.clone()) {
                return fail(ErrorCode::InvalidRequest.code(), format!("Create topics request from client contains the topic {name} more than once"));
            }
            let mut partitions = if t.num_partitions == -1 { state.config.num_partitions } else { t.num_partitions };
            let rf = if t.replication_factor == -1 { state.config.default_replication_factor } else { t.replication_factor };
            if !t.assignments.is_empty() {
                if t.num_partitions != -1 || t.replication_factor != -1 {
                    return fail(ErrorCode::InvalidRequest.code(), "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.".into());
                }
                if t.assignments.iter().any(|a| a.broker_ids.len() != 1 || a.broker_ids[0].0 != state.node_id) {
                    return fail(ErrorCode::InvalidReplicaAssignment.code(), format!("Replica assignments may only name broker {}, the only broker of this cluster.", state.node_id));
                }
                partitions = t.assignments.len() as i32;
            } else if rf != 1 {
                return fail(
                    ErrorCode::InvalidReplicationFactor.code(),
                    format!("Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only 1 broker(s) are registered."),
                );
            }
            let mut configs = BTreeMap::new();
            for c in &t.configs {
                if let Some(v) = &c.value {
                    configs.insert(c.name.as_str().to_string(), v.as_str().to_string());
                }
            }
            let outcome = if req.validate_only {
                state.topics.check_create(&name, partitions, &configs).map(|_| None)
            } else {
                state.topics.create(&name, partitions, configs.clone()).map(Some)
            };
            match outcome {
                Err(e) => fail(e.code(), e.to_string()),
                Ok(created) => {
                    // No message for a created topic: null, as Apache Kafka sends it.
                    let mut r = result
                        .with_error_code(0)
                        .with_error_message(None)
                        .with_num_partitions(partitions)
                        .with_replication_factor(1);
                    if let Some(topic) = created {
                        r.topic_id = topic.id;
                    }
                    if version >= 5 {
                        r.configs = Some(describe_all(state, &configs));
                    }
                    r
                }
            }
        })
        .collect();
    CreateTopicsResponse::default().with_topics(topics)
}

fn describe_all(
    state: &BrokerState,
    overrides: &BTreeMap<String, String>,
) -> Vec<CreatableTopicConfigs> {
    TOPIC_CONFIG_KEYS
        .iter()
        .map(|k| {
            let (value, source) = match overrides.get(k.name) {
                Some(v) => (v.clone(), DYNAMIC_TOPIC_CONFIG),
                None => (k.default_value(&state.config), DEFAULT_CONFIG),
            };
            CreatableTopicConfigs::default()
                .with_name(sb(k.name))
                .with_value(Some(sb(value)))
                .with_config_source(source)
        })
        .collect()
}

//! DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics and groups (and
//! describing the broker). Overrides are validated against Kafka's topic or group config keys
//! before anything is stored; an invalid key or value fails the whole resource with
//! INVALID_CONFIG.

use ferrokafka_protocol::ErrorCode;
use std::collections::BTreeMap;

use kafka_protocol::messages::describe_configs_response::{
    DescribeConfigsResourceResult, DescribeConfigsResult, DescribeConfigsSynonym,
};
use kafka_protocol::messages::{
    alter_configs_response, incremental_alter_configs_response, AlterConfigsRequest,
    AlterConfigsResponse, DescribeConfigsRequest, DescribeConfigsResponse,
    IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
};

use super::sb;
use crate::config_synonyms::{
    dynamic_broker_defaults, topic_synonyms, DEFAULT_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG,
    STATIC_BROKER_CONFIG,
};
use crate::context::{Operation, RequestContext, Resource};
use crate::group_config;
use crate::state::BrokerState;
use crate::topic_config::{self, ConfigType, TOPIC_CONFIG_KEYS};

const TOPIC: i8 = 2;
const BROKER: i8 = 4;
const GROUP: i8 = 32;

pub fn describe(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeConfigsRequest,
) -> DescribeConfigsResponse {
    let version = ctx.api_version;
    let r_synonyms = req.include_synonyms;
    let results = req
        .resources
        .into_iter()
        .map(|r| {
            let name = r.resource_name.as_str().to_string();
            let wanted = |key: &str| {
                r.configuration_keys
                    .as_ref()
                    .is_none_or(|keys| keys.iter().any(|k| k.as_str() == key))
            };
            let result = DescribeConfigsResult::default()
                .with_resource_type(r.resource_type)
                .with_resource_name(r.resource_name.clone());
            let entry = |key: &str, value: String, source: i8, ty: i8| {
                let mut e = DescribeConfigsResourceResult::default()
                    .with_name(sb(key))
                    .with_value(Some(sb(value)))
                    .with_config_source(source);
                if version >= 3 {
                    e.config_type = ty;
                }
                e
            };
            if let Some(code) = denied(ctx, Operation::DescribeConfigs, r.resource_type, &name) {
                return result.with_error_code(code);
            }
            match r.resource_type {
                TOPIC => match state.topics.get(&name) {
                    None => result
                        .with_error_code(ErrorCode::UnknownTopicOrPartition.code())
                        .with_error_message(Some(sb(format!("Topic '{name}' does not exist.")))),
                    Some(topic) => {
                        let configs = TOPIC_CONFIG_KEYS
                            .iter()
                            .filter(|k| wanted(k.name))
                            .map(|k| {
                                let own = topic.configs.get(k.name);
                                let chain =
                                    topic_synonyms(k.name, own.map(String::as_str), &state.config);
                                let source = chain.first().map_or(DEFAULT_CONFIG, |s| s.source);
                                let value = own
                                    .cloned()
                                    .unwrap_or_else(|| k.default_value(&state.config));
                                let mut e = entry(k.name, value, source, k.ty as i8);
                                if r_synonyms && version >= 1 {
                                    e.synonyms = chain
                                        .into_iter()
                                        .map(|s| {
                                            DescribeConfigsSynonym::default()
                                                .with_name(sb(s.name))
                                                .with_value(Some(sb(s.value)))
                                                .with_source(s.source)
                                        })
                                        .collect();
                                }
                                e
                            })
                            .collect();
                        result.with_error_code(0).with_configs(configs)
                    }
                },
                // The cluster default resource (`--entity-default`) holds only the dynamic
                // defaults, as Kafka's does.
                BROKER if name.is_empty() => {
                    let configs = dynamic_broker_defaults(&state.config)
                        .into_iter()
                        .filter(|(k, _)| wanted(k))
                        .map(|(k, v)| {
                            entry(k, v, DYNAMIC_DEFAULT_BROKER_CONFIG, ConfigType::Int as i8)
                        })
                        .collect();
                    result.with_error_code(0).with_configs(configs)
                }
                BROKER if name == state.node_id.to_string() => {
                    let dynamic = dynamic_broker_defaults(&state.config);
                    let configs = broker_configs(state)
                        .into_iter()
                        .map(|(k, v, given)| {
                            let source = if given {
                                STATIC_BROKER_CONFIG
                            } else {
                                DEFAULT_CONFIG
                            };
                            (k, v, source)
                        })
                        .chain(
                            dynamic
                                .into_iter()
                                .map(|(k, v)| (k.to_string(), v, DYNAMIC_DEFAULT_BROKER_CONFIG)),
                        )
                        .filter(|(k, _, _)| wanted(k))
                        .map(|(k, v, source)| entry(&k, v, source, ConfigType::String as i8))
                        .collect();
                    result.with_error_code(0).with_configs(configs)
                }
                GROUP => {
                    let overrides = state.group_configs.get(&name);
                    let configs = group_config::describe(&overrides, &state.config)
                        .into_iter()
                        .filter(|d| wanted(d.key.name))
                        .map(|d| {
                            let mut e = entry(d.key.name, d.value, d.source, d.key.ty as i8);
                            if r_synonyms && version >= 1 {
                                e.synonyms = d
                                    .synonyms
                                    .into_iter()
                                    .map(|(n, v, source)| {
                                        DescribeConfigsSynonym::default()
                                            .with_name(sb(n))
                                            .with_value(Some(sb(v)))
                                            .with_source(source)
                                    })
                                    .collect();
                            }
                            e
                        })
                        .collect();
                    result.with_error_code(0).with_configs(configs)
                }
                BROKER => result
                    .with_error_code(ErrorCode::InvalidRequest.code())
                    .with_error_message(Some(sb(format!(
                        "Broker {name} is not this broker ({}).",
                        state.node_id
                    )))),
                other => result
                    .with_error_code(ErrorCode::InvalidRequest.code())
                    .with_error_message(Some(sb(format!(
                        "Describing configs of resource type {other} is not supported."
                    )))),
            }
        })
        .collect();
    DescribeConfigsResponse::default().with_results(results)
}

/// The broker settings reported by DescribeConfigs: (name, value, set explicitly).
fn broker_configs(state: &BrokerState) -> Vec<(String, String, bool)> {
    let c = &state.config;
    let known: Vec<(&str, String)> = vec![
        ("node.id", c.node_id.to_string()),
        ("broker.id", c.node_id.to_string()),
        ("log.dirs", c.log_dirs.display().to_string()),
        ("num.partitions", c.num_partitions.to_string()),
        (
            "default.replication.factor",
            c.default_replication_factor.to_string(),
        ),
        (
            "auto.create.topics.enable",
            c.auto_create_topics_enable.to_string(),
        ),
        ("delete.topic.enable", c.delete_topic_enable.to_string()),
        ("log.retention.ms", c.log_retention_ms.to_string()),
        ("log.retention.bytes", c.log_retention_bytes.to_string()),
        ("log.segment.bytes", c.log_segment_bytes.to_string()),
        ("log.roll.ms", c.log_roll_ms.to_string()),
        (
            "log.message.timestamp.type",
            c.log_message_timestamp_type.clone(),
        ),
        ("log.cleanup.policy", c.log_cleanup_policy.clone()),
        ("message.max.bytes", c.message_max_bytes.to_string()),
        (
            "socket.request.max.bytes",
            c.socket_request_max_bytes.to_string(),
        ),
        (
            "offsets.retention.minutes",
            c.offsets_retention_minutes.to_string(),
        ),
        (
            "group.initial.rebalance.delay.ms",
            c.group_initial_rebalance_delay_ms.to_string(),
        ),
        (
            "group.min.session.timeout.ms",
            c.group_min_session_timeout_ms.to_string(),
        ),
        (
            "group.max.session.timeout.ms",
            c.group_max_session_timeout_ms.to_string(),
        ),
    ];
    known
        .into_iter()
        .map(|(k, v)| (k.to_string(), v, c.given.contains_key(k)))
        .collect()
}

fn validate_all(configs: &BTreeMap<String, String>) -> Result<(), String> {
    for (k, v) in configs {
        topic_config::validate(k, v).map_err(|e| e.0)?;
    }
    Ok(())
}

/// Applies new overrides for one resource: (error code, message).
/// The code for a principal that may not do `op` on a config resource, if it may not.
fn denied(ctx: &RequestContext<'_>, op: Operation, resource_type: i8, name: &str) -> Option<i16> {
    match resource_type {
        TOPIC if !ctx.authorize(op, Resource::Topic(name)) => {
            Some(ErrorCode::TopicAuthorizationFailed.code())
        }
        BROKER if !ctx.authorize(op, Resource::Cluster) => {
            Some(ErrorCode::ClusterAuthorizationFailed.code())
        }
        GROUP if !ctx.authorize(op, Resource::Group(name)) => {
            Some(ErrorCode::GroupAuthorizationFailed.code())
        }
        _ => None,
    }
}

fn apply(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    resource_type: i8,
    name: &str,
    next: impl FnOnce(&BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String>,
    validate_only: bool,
) -> (i16, Option<String>) {
    if let Some(code) = denied(ctx, Operation::AlterConfigs, resource_type, name) {
        return (code, None);
    }
    if resource_type == BROKER {
        return (ErrorCode::InvalidConfig.code(), Some("Dynamic broker configs are not supported: set the value in server.properties (or --override) and restart the broker.".into()));
    }
    if resource_type == GROUP {
        let configs = match next(&state.group_configs.get(name))
            .and_then(|c| group_config::validate(&c, &state.config).map(|_| c))
        {
            Ok(c) => c,
            Err(m) => return (ErrorCode::InvalidConfig.code(), Some(m)),
        };
        if validate_only {
            return (0, None);
        }
        return match state.group_configs.set(name, configs) {
            Ok(()) => (0, None),
            Err(e) => (ErrorCode::KafkaStorageError.code(), Some(e.to_string())),
        };
    }
    if resource_type != TOPIC {
        return (
            ErrorCode::InvalidRequest.code(),
            Some(format!(
                "Altering configs of resource type {resource_type} is not supported."
            )),
        );
    }
    let Some(topic) = state.topics.get(name) else {
        return (
            ErrorCode::UnknownTopicOrPartition.code(),
            Some(format!("Topic '{name}' does not exist.")),
        );
    };
    let configs = match next(&topic.configs).and_then(|c| validate_all(&c).map(|_| c)) {
        Ok(c) => c,
        Err(m) => return (ErrorCode::InvalidConfig.code(), Some(m)),
    };
    if validate_only {
        return (0, None);
    }
    match state.topics.set_configs(name, configs) {
        Ok(()) => (0, None),
        Err(e) => (e.code(), Some(e.to_string())),
    }
}

pub fn alter(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: AlterConfigsRequest,
) -> AlterConfigsResponse {
    let responses = req
        .resources
        .into_iter()
        .map(|r| {
            let (code, message) = apply(
                state,
                ctx,
                r.resource_type,
                r.resource_name.as_str(),
                |_| {
                    Ok(r.configs
                        .iter()
                        .filter_map(|c| {
                            c.value
                                .as_ref()
                                .map(|v| (c.name.as_str().to_string(), v.as_str().to_string()))
                        })
                        .collect())
                },
                req.validate_only,
            );
            alter_configs_response::AlterConfigsResourceResponse::default()
                .with_error_code(code)
                .with_error_message(message.map(sb))
                .with_resource_type(r.resource_type)
                .with_resource_name(r.resource_name)
        })
        .collect();
    AlterConfigsResponse::default().with_responses(responses)
}

const SET: i8 = 0;
const DELETE: i8 = 1;
const APPEND: i8 = 2;
const SUBTRACT: i8 = 3;

pub fn incremental_alter(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: IncrementalAlterConfigsRequest,
) -> IncrementalAlterConfigsResponse {
    let responses = req
        .resources
        .into_iter()
        .map(|r| {
            let (code, message) = apply(state, ctx, r.resource_type, r.resource_name.as_str(), |current| {
                let mut next = current.clone();
                for c in &r.configs {
                    let key = c.name.as_str().to_string();
                    let value = c.value.as_ref().map(|v| v.as_str().to_string());
                    match c.config_operation {
                        SET => {
                            next.insert(key, value.unwrap_or_default());
                        }
                        DELETE => {
                            next.remove(&key);
                        }
                        APPEND | SUBTRACT => {
                            let is_list = topic_config::lookup(&key).is_some_and(|k| k.ty == ConfigType::List);
                            if !is_list {
                                return Err(format!("Config value append/subtract is not allowed for config key {key} (it is not a list)."));
                            }
                            let base = next.get(&key).cloned().or_else(|| topic_config::effective(&key, current, &state.config)).unwrap_or_default();
                            let mut items: Vec<String> = base.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
                            for v in value.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()) {
                                if c.config_operation == APPEND {
                                    if !items.iter().any(|i| i == v) {
                                        items.push(v.to_string());
                                    }
                                } else {
                                    items.retain(|i| i != v);
                                }
                            }
                            next.insert(key, items.join(","));
                        }
                        op => return Err(format!("Unknown config operation {op} for {key}.")),
                    }
                }
                Ok(next)
            }, req.validate_only);
            incremental_alter_configs_response::AlterConfigsResourceResponse::default()
                .with_error_code(code)
                .with_error_message(message.map(sb))
                .with_resource_type(r.resource_type)
                .with_resource_name(r.resource_name)
        })
        .collect();
    IncrementalAlterConfigsResponse::default().with_responses(responses)
}

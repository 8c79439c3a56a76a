//! DescribeClientQuotas and AlterClientQuotas: the quota settings stored by `quotas`, filtered
//! and validated as Kafka does (cluster DESCRIBE_CONFIGS / ALTER_CONFIGS needed). This broker
//! stores and reports them but does not throttle.

use ferrokafka_protocol::java_order::hash_map_order;
use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::{
    alter_client_quotas_response, describe_client_quotas_response, AlterClientQuotasRequest,
    AlterClientQuotasResponse, DescribeClientQuotasRequest, DescribeClientQuotasResponse,
};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::quotas::{self, InvalidQuota, NameMatch};
use crate::state::BrokerState;

const MATCH_EXACT: i8 = 0;
const MATCH_DEFAULT: i8 = 1;
const MATCH_SPECIFIED: i8 = 2;

pub fn describe(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeClientQuotasRequest,
) -> DescribeClientQuotasResponse {
    if !ctx.authorize(Operation::DescribeConfigs, Resource::Cluster) {
        return DescribeClientQuotasResponse::default()
            .with_error_code(ErrorCode::ClusterAuthorizationFailed.code())
            .with_error_message(Some(sb(
                "Cluster DESCRIBE_CONFIGS is needed to describe quotas",
            )));
    }
    let mut components = Vec::new();
    for c in &req.components {
        let m = match (c.match_type, &c._match) {
            (MATCH_EXACT, Some(name)) => NameMatch::Exact(name.to_string()),
            (MATCH_DEFAULT, _) => NameMatch::Default,
            (MATCH_SPECIFIED, _) => NameMatch::Specified,
            (t, _) => {
                return DescribeClientQuotasResponse::default()
                    .with_error_code(ErrorCode::InvalidRequest.code())
                    .with_error_message(Some(sb(format!(
                        "Unknown match type {t} (or an exact match without a name)"
                    ))))
            }
        };
        components.push((c.entity_type.to_string(), m));
    }
    let has = |ty: &str| components.iter().any(|(t, _)| t == ty);
    if has(quotas::IP) && (has(quotas::USER) || has(quotas::CLIENT_ID)) {
        return DescribeClientQuotasResponse::default()
            .with_error_code(ErrorCode::InvalidRequest.code())
            .with_error_message(Some(sb("Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.")));
    }
    let entries = state
        .quotas
        .describe(&components, req.strict)
        .into_iter()
        .map(|(entity, values)| {
            describe_client_quotas_response::EntryData::default()
                .with_entity(
                    entity
                        .into_iter()
                        .map(|(t, n)| {
                            describe_client_quotas_response::EntityData::default()
                                .with_entity_type(sb(t))
                                .with_entity_name(n.map(sb))
                        })
                        .collect(),
                )
                .with_values(
                    // Kafka answers from a HashMap of the values: its order, which decides
                    // the order Kafka's tools print them in.
                    hash_map_order(values.into_iter().collect(), |(k, _)| k.as_str())
                        .into_iter()
                        .map(|(k, v)| {
                            describe_client_quotas_response::ValueData::default()
                                .with_key(sb(k))
                                .with_value(v)
                        })
                        .collect(),
                )
        })
        .collect();
    DescribeClientQuotasResponse::default().with_entries(Some(entries))
}

pub fn alter(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: AlterClientQuotasRequest,
) -> AlterClientQuotasResponse {
    let allowed = ctx.authorize(Operation::AlterConfigs, Resource::Cluster);
    let entries = req
        .entries
        .into_iter()
        .map(|e| {
            let echoed: Vec<_> = e
                .entity
                .iter()
                .map(|d| {
                    alter_client_quotas_response::EntityData::default()
                        .with_entity_type(d.entity_type.clone())
                        .with_entity_name(d.entity_name.clone())
                })
                .collect();
            let answer = alter_client_quotas_response::EntryData::default().with_entity(echoed);
            if !allowed {
                return answer.with_error_code(ErrorCode::ClusterAuthorizationFailed.code());
            }
            let entity = e
                .entity
                .iter()
                .map(|d| {
                    (
                        d.entity_type.to_string(),
                        d.entity_name.as_ref().map(|n| n.to_string()),
                    )
                })
                .collect();
            let checked = quotas::validate_entity(entity).and_then(|entity| {
                let ops = e
                    .ops
                    .iter()
                    .map(|op| {
                        let key = op.key.to_string();
                        if op.remove {
                            return Ok((key, None));
                        }
                        quotas::validate_value(&entity, &key, op.value)?;
                        Ok((key, Some(op.value)))
                    })
                    .collect::<Result<Vec<_>, InvalidQuota>>()?;
                Ok((entity, ops))
            });
            match checked {
                Err(InvalidQuota(m)) => answer
                    .with_error_code(ErrorCode::InvalidRequest.code())
                    .with_error_message(Some(sb(m))),
                Ok(_) if req.validate_only => answer.with_error_code(0),
                Ok((entity, ops)) => match state.quotas.alter(entity, &ops) {
                    Ok(()) => answer.with_error_code(0),
                    Err(err) => answer
                        .with_error_code(ErrorCode::KafkaStorageError.code())
                        .with_error_message(Some(sb(err.to_string()))),
                },
            }
        })
        .collect();
    AlterClientQuotasResponse::default().with_entries(entries)
}

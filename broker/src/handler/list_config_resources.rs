//! ListConfigResources (KIP-1142; v0 was ListClientMetricsResources): the config resources that
//! exist, by type. Topics and this broker are always there; groups are the ones holding dynamic
//! configs (Kafka's ConfigCommand adds ListGroups' answer itself); no client-metrics
//! subscriptions exist here. An empty type list means every type, as in Kafka.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::list_config_resources_response::ConfigResource;
use kafka_protocol::messages::{ListConfigResourcesRequest, ListConfigResourcesResponse};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

const TOPIC: i8 = 2;
const BROKER: i8 = 4;
const BROKER_LOGGER: i8 = 8;
const CLIENT_METRICS: i8 = 16;
const GROUP: i8 = 32;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: ListConfigResourcesRequest,
) -> ListConfigResourcesResponse {
    if !ctx.authorize(Operation::DescribeConfigs, Resource::Cluster) {
        return ListConfigResourcesResponse::default()
            .with_error_code(ErrorCode::ClusterAuthorizationFailed.code());
    }
    let types: Vec<i8> = if ctx.api_version == 0 {
        vec![CLIENT_METRICS]
    } else if req.resource_types.is_empty() {
        vec![TOPIC, BROKER, BROKER_LOGGER, CLIENT_METRICS, GROUP]
    } else {
        req.resource_types
    };
    let mut resources = Vec::new();
    for ty in types {
        let names: Vec<String> = match ty {
            TOPIC => state.topics.all().iter().map(|t| t.name.clone()).collect(),
            BROKER | BROKER_LOGGER => vec![state.node_id.to_string()],
            CLIENT_METRICS => Vec::new(),
            GROUP => state.group_configs.groups(),
            other => {
                tracing::debug!(resource_type = other, "ListConfigResources: unknown type");
                return ListConfigResourcesResponse::default()
                    .with_error_code(ErrorCode::InvalidRequest.code());
            }
        };
        resources.extend(names.into_iter().map(|n| {
            let r = ConfigResource::default().with_resource_name(sb(n));
            if ctx.api_version >= 1 {
                r.with_resource_type(ty)
            } else {
                r
            }
        }));
    }
    ListConfigResourcesResponse::default()
        .with_error_code(0)
        .with_config_resources(resources)
}

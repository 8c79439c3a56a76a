//! DescribeCluster: the cluster id and this broker as controller and only broker.

use kafka_protocol::messages::describe_cluster_response::DescribeClusterBroker;
use kafka_protocol::messages::{BrokerId, DescribeClusterRequest, DescribeClusterResponse};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

const OPERATIONS_NOT_REQUESTED: i32 = i32::MIN;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeClusterRequest,
) -> DescribeClusterResponse {
    if !ctx.authorize(Operation::Describe, Resource::Cluster) {
        return DescribeClusterResponse::default()
            .with_error_code(ferrokafka_protocol::ErrorCode::ClusterAuthorizationFailed.code())
            .with_endpoint_type(req.endpoint_type);
    }
    DescribeClusterResponse::default()
        .with_error_code(0)
        .with_endpoint_type(req.endpoint_type)
        .with_cluster_id(sb(state.cluster_id.clone()))
        .with_controller_id(BrokerId(state.node_id))
        .with_brokers(vec![DescribeClusterBroker::default()
            .with_broker_id(BrokerId(state.node_id))
            .with_host(sb(state
                .endpoint(&ctx.connection.listener_name)
                .host
                .clone()))
            .with_port(state.endpoint(&ctx.connection.listener_name).port)])
        .with_cluster_authorized_operations(OPERATIONS_NOT_REQUESTED)
}

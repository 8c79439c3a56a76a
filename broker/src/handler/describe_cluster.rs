//! DescribeCluster: the cluster id and this broker as controller and only broker. Any
//! principal may ask (Kafka 4.3 checks nothing but the endpoint type); the cluster's authorised
//! operations, when asked, are 0 without cluster DESCRIBE.

use kafka_protocol::messages::describe_cluster_response::DescribeClusterBroker;
use kafka_protocol::messages::{BrokerId, DescribeClusterRequest, DescribeClusterResponse};

use super::authorized_operations::{self, NOT_REQUESTED};
use super::sb;
use crate::context::RequestContext;
use crate::state::BrokerState;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeClusterRequest,
) -> DescribeClusterResponse {
    let cluster_ops = if req.include_cluster_authorized_operations {
        authorized_operations::of_cluster(ctx)
    } else {
        NOT_REQUESTED
    };
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
        .with_cluster_authorized_operations(cluster_ops)
}

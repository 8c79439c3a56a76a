//! DescribeClientQuotas: this broker enforces no client quotas, so every description is empty.
//! `kafka-configs --describe --entity-type users` asks for quotas next to SCRAM credentials.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::{DescribeClientQuotasRequest, DescribeClientQuotasResponse};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};

pub fn describe(
    ctx: &RequestContext<'_>,
    _req: DescribeClientQuotasRequest,
) -> DescribeClientQuotasResponse {
    if !ctx.authorize(Operation::DescribeConfigs, Resource::Cluster) {
        return DescribeClientQuotasResponse::default()
            .with_error_code(ErrorCode::ClusterAuthorizationFailed.code())
            .with_error_message(Some(sb(
                "Cluster DESCRIBE_CONFIGS is needed to describe quotas",
            )));
    }
    DescribeClientQuotasResponse::default().with_entries(Some(Vec::new()))
}

//! DescribeLogDirs: the one log directory with each partition's size on disk.

use kafka_protocol::messages::describe_log_dirs_response::{
    DescribeLogDirsPartition, DescribeLogDirsResult, DescribeLogDirsTopic,
};
use kafka_protocol::messages::{DescribeLogDirsRequest, DescribeLogDirsResponse, TopicName};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeLogDirsRequest,
) -> DescribeLogDirsResponse {
    if !ctx.authorize(Operation::Describe, Resource::Cluster) {
        return DescribeLogDirsResponse::default()
            .with_error_code(ferrokafka_protocol::ErrorCode::ClusterAuthorizationFailed.code());
    }
    let wanted: Option<Vec<(String, Vec<i32>)>> = req.topics.map(|ts| {
        ts.into_iter()
            .map(|t| (t.topic.0.as_str().to_string(), t.partitions))
            .collect()
    });
    let mut topics = Vec::new();
    for topic in state.topics.all() {
        let filter = match &wanted {
            None => None,
            Some(w) => match w.iter().find(|(n, _)| *n == topic.name) {
                Some((_, parts)) => Some(parts.clone()),
                None => continue,
            },
        };
        let partitions = topic
            .partitions
            .iter()
            .filter(|p| filter.as_ref().is_none_or(|f| f.contains(&p.index)))
            .map(|p| {
                DescribeLogDirsPartition::default()
                    .with_partition_index(p.index)
                    .with_partition_size(p.size_bytes() as i64)
                    .with_offset_lag(0)
                    .with_is_future_key(false)
            })
            .collect();
        topics.push(
            DescribeLogDirsTopic::default()
                .with_name(TopicName(sb(topic.name.clone())))
                .with_partitions(partitions),
        );
    }
    let dir = std::fs::canonicalize(state.topics.log_dir())
        .unwrap_or_else(|_| state.topics.log_dir().to_path_buf());
    DescribeLogDirsResponse::default().with_results(vec![DescribeLogDirsResult::default()
        .with_error_code(0)
        .with_log_dir(sb(dir.display().to_string()))
        .with_topics(topics)
        .with_total_bytes(-1)
        .with_usable_bytes(-1)])
}

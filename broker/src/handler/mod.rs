//! Request dispatch: one file per Kafka API, each `decode → act → encode`-free (decoding and
//! encoding happen in `wire`): a handler takes the decoded request and returns the response.
//!
//! Owns the list of APIs the broker advertises in ApiVersions. An API that is not listed is
//! refused at decode time (the connection closes, as Kafka does for unknown APIs).

use std::net::SocketAddr;

use kafka_protocol::messages::{ApiKey, RequestHeader, RequestKind, ResponseKind};
use kafka_protocol::protocol::StrBytes;

use crate::coordinator::ClientInfo;
use crate::state::BrokerState;

mod api_versions;
mod configs;
mod create_partitions;
mod create_topics;
mod delete_records;
mod delete_topics;
mod describe_cluster;
mod describe_log_dirs;
mod fetch;
mod find_coordinator;
mod init_producer_id;
mod list_offsets;
mod metadata;
mod produce;

/// Facts about the connection a request came on.
pub struct ConnectionInfo {
    pub peer: SocketAddr,
}

/// Every API this broker answers.
pub const SUPPORTED_APIS: &[ApiKey] = &[
    ApiKey::Produce,
    ApiKey::Fetch,
    ApiKey::ListOffsets,
    ApiKey::Metadata,
    ApiKey::OffsetCommit,
    ApiKey::OffsetFetch,
    ApiKey::FindCoordinator,
    ApiKey::JoinGroup,
    ApiKey::Heartbeat,
    ApiKey::LeaveGroup,
    ApiKey::SyncGroup,
    ApiKey::DescribeGroups,
    ApiKey::ListGroups,
    ApiKey::ApiVersions,
    ApiKey::CreateTopics,
    ApiKey::DeleteTopics,
    ApiKey::DeleteRecords,
    ApiKey::InitProducerId,
    ApiKey::DescribeConfigs,
    ApiKey::AlterConfigs,
    ApiKey::DescribeLogDirs,
    ApiKey::CreatePartitions,
    ApiKey::DeleteGroups,
    ApiKey::IncrementalAlterConfigs,
    ApiKey::OffsetDelete,
    ApiKey::DescribeCluster,
];

/// Whether the broker answers `api`.
pub fn supported(api: ApiKey) -> bool {
    SUPPORTED_APIS.contains(&api)
}

/// Runs one request. `None` means no response is sent (Produce with acks=0).
pub async fn dispatch(
    state: &BrokerState,
    conn: &ConnectionInfo,
    header: &RequestHeader,
    body: RequestKind,
) -> Option<ResponseKind> {
    let v = header.request_api_version;
    let groups = &state.groups;
    let response = match body {
        RequestKind::ApiVersions(r) => ResponseKind::ApiVersions(api_versions::handle(r, v)),
        RequestKind::Metadata(r) => ResponseKind::Metadata(metadata::handle(state, r, v)),
        RequestKind::Produce(r) => return produce::handle(state, r, v).map(ResponseKind::Produce),
        RequestKind::Fetch(r) => ResponseKind::Fetch(fetch::handle(state, r, v).await),
        RequestKind::ListOffsets(r) => ResponseKind::ListOffsets(list_offsets::handle(state, r, v)),
        RequestKind::FindCoordinator(r) => {
            ResponseKind::FindCoordinator(find_coordinator::handle(state, r, v))
        }
        RequestKind::JoinGroup(r) => {
            let client = ClientInfo {
                client_id: header
                    .client_id
                    .as_ref()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
                client_host: format!("/{}", conn.peer.ip()),
            };
            ResponseKind::JoinGroup(groups.join_group_from(r, v, client).await)
        }
        RequestKind::SyncGroup(r) => ResponseKind::SyncGroup(groups.sync_group(r, v).await),
        RequestKind::Heartbeat(r) => ResponseKind::Heartbeat(groups.heartbeat(r, v).await),
        RequestKind::LeaveGroup(r) => ResponseKind::LeaveGroup(groups.leave_group(r, v).await),
        RequestKind::OffsetCommit(r) => {
            ResponseKind::OffsetCommit(groups.offset_commit(r, v).await)
        }
        RequestKind::OffsetFetch(r) => ResponseKind::OffsetFetch(groups.offset_fetch(r, v).await),
        RequestKind::OffsetDelete(r) => {
            ResponseKind::OffsetDelete(groups.offset_delete(r, v).await)
        }
        RequestKind::ListGroups(r) => ResponseKind::ListGroups(groups.list_groups(r, v).await),
        RequestKind::DescribeGroups(r) => {
            ResponseKind::DescribeGroups(groups.describe_groups(r, v).await)
        }
        RequestKind::DeleteGroups(r) => {
            ResponseKind::DeleteGroups(groups.delete_groups(r, v).await)
        }
        RequestKind::CreateTopics(r) => {
            ResponseKind::CreateTopics(create_topics::handle(state, r, v))
        }
        RequestKind::DeleteTopics(r) => {
            ResponseKind::DeleteTopics(delete_topics::handle(state, r, v))
        }
        RequestKind::CreatePartitions(r) => {
            ResponseKind::CreatePartitions(create_partitions::handle(state, r, v))
        }
        RequestKind::DescribeConfigs(r) => {
            ResponseKind::DescribeConfigs(configs::describe(state, r, v))
        }
        RequestKind::AlterConfigs(r) => ResponseKind::AlterConfigs(configs::alter(state, r, v)),
        RequestKind::IncrementalAlterConfigs(r) => {
            ResponseKind::IncrementalAlterConfigs(configs::incremental_alter(state, r, v))
        }
        RequestKind::DescribeCluster(r) => {
            ResponseKind::DescribeCluster(describe_cluster::handle(state, r, v))
        }
        RequestKind::DeleteRecords(r) => {
            ResponseKind::DeleteRecords(delete_records::handle(state, r, v))
        }
        RequestKind::DescribeLogDirs(r) => {
            ResponseKind::DescribeLogDirs(describe_log_dirs::handle(state, r, v))
        }
        RequestKind::InitProducerId(r) => {
            ResponseKind::InitProducerId(init_producer_id::handle(state, r, v))
        }
        other => {
            // Unreachable in practice: `wire` refuses unsupported APIs before decoding.
            tracing::warn!(api = ?std::mem::discriminant(&other), "request for an API this broker does not serve");
            return None;
        }
    };
    Some(response)
}

/// A `StrBytes` from text.
pub(crate) fn sb(s: impl Into<String>) -> StrBytes {
    StrBytes::from_string(s.into())
}

/// Error code for "this broker does not host that topic or partition".
pub(crate) const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
/// Error code for an unknown topic id (requests by topic id).
pub(crate) const UNKNOWN_TOPIC_ID: i16 = 100;

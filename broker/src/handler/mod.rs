//! Request dispatch: one file per Kafka API. Decoding and encoding happen in `wire`; a handler
//! takes the request's [`RequestContext`] (who sent it, on which listener, which version) and
//! the decoded request, and returns the response. Group APIs are answered from the state kept
//! in `coordinator/`.
//!
//! Owns the list of APIs the broker advertises in ApiVersions. An API that is not listed is
//! refused at decode time (the connection closes, as Kafka does for unknown APIs).

use kafka_protocol::messages::{ApiKey, RequestKind, ResponseKind};
use kafka_protocol::protocol::StrBytes;

use crate::context::RequestContext;
use crate::state::BrokerState;

mod acls;
mod api_versions;
mod authorized_operations;
mod client_quotas;
mod configs;
mod create_partitions;
mod create_topics;
pub(crate) mod delete_groups;
mod delete_records;
mod delete_topics;
mod describe_cluster;
pub(crate) mod describe_groups;
mod describe_log_dirs;
mod describe_topic_partitions;
pub mod fetch;
pub mod fetch_frame;
pub mod fetch_session;
mod find_coordinator;
mod group_authz;
pub(crate) mod heartbeat;
mod init_producer_id;
pub(crate) mod join_group;
pub(crate) mod leave_group;
mod list_config_resources;
pub(crate) mod list_groups;
mod list_offsets;
mod metadata;
pub(crate) mod offset_commit;
pub(crate) mod offset_delete;
pub(crate) mod offset_fetch;
mod produce;
mod scram_credentials;
pub(crate) mod sync_group;

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
    ApiKey::DescribeTopicPartitions,
    ApiKey::SaslHandshake,
    ApiKey::SaslAuthenticate,
    ApiKey::DescribeUserScramCredentials,
    ApiKey::AlterUserScramCredentials,
    ApiKey::DescribeClientQuotas,
    ApiKey::AlterClientQuotas,
    ApiKey::CreateAcls,
    ApiKey::DescribeAcls,
    ApiKey::DeleteAcls,
    ApiKey::ListConfigResources,
];

/// Whether the broker answers `api`.
pub fn supported(api: ApiKey) -> bool {
    SUPPORTED_APIS.contains(&api)
}

/// Runs one request. `None` means no response is sent (Produce with acks=0).
pub async fn dispatch(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    body: RequestKind,
) -> Option<ResponseKind> {
    use RequestKind as Q;
    use ResponseKind as A;
    if let Some(denied) = group_authz::check(ctx, &body) {
        return Some(denied);
    }
    let response = match body {
        Q::ApiVersions(r) => A::ApiVersions(api_versions::handle(ctx, r)),
        Q::Metadata(r) => A::Metadata(metadata::handle(state, ctx, r)),
        Q::Produce(r) => return produce::handle(state, ctx, r).map(A::Produce),
        Q::Fetch(r) => A::Fetch(fetch::handle(state, ctx, r).await.into_response()),
        Q::ListOffsets(r) => A::ListOffsets(list_offsets::handle(state, ctx, r)),
        Q::FindCoordinator(r) => A::FindCoordinator(find_coordinator::handle(state, ctx, r)),
        Q::JoinGroup(r) => A::JoinGroup(join_group::handle(state, ctx, r).await),
        Q::SyncGroup(r) => A::SyncGroup(sync_group::handle(state, ctx, r).await),
        Q::Heartbeat(r) => A::Heartbeat(heartbeat::handle(state, ctx, r).await),
        Q::LeaveGroup(r) => A::LeaveGroup(leave_group::handle(state, ctx, r).await),
        Q::OffsetCommit(r) => A::OffsetCommit(offset_commit::handle(state, ctx, r).await),
        Q::OffsetFetch(r) => A::OffsetFetch(offset_fetch::handle(state, ctx, r).await),
        Q::OffsetDelete(r) => A::OffsetDelete(offset_delete::handle(state, ctx, r).await),
        Q::ListGroups(r) => {
            let mut resp = list_groups::handle(state, ctx, r).await;
            group_authz::filter_listed(ctx, &mut resp);
            A::ListGroups(resp)
        }
        Q::DescribeGroups(r) => {
            let include_operations = r.include_authorized_operations;
            let mut resp = describe_groups::handle(state, ctx, r).await;
            group_authz::filter_described(ctx, include_operations, &mut resp);
            A::DescribeGroups(resp)
        }
        Q::DeleteGroups(mut r) => {
            let denied = group_authz::split_delete_groups(ctx, &mut r);
            let mut resp = delete_groups::handle(state, ctx, r).await;
            resp.results.extend(denied);
            A::DeleteGroups(resp)
        }
        Q::CreateTopics(r) => A::CreateTopics(create_topics::handle(state, ctx, r)),
        Q::DeleteTopics(r) => A::DeleteTopics(delete_topics::handle(state, ctx, r)),
        Q::CreatePartitions(r) => A::CreatePartitions(create_partitions::handle(state, ctx, r)),
        Q::DescribeConfigs(r) => A::DescribeConfigs(configs::describe(state, ctx, r)),
        Q::AlterConfigs(r) => A::AlterConfigs(configs::alter(state, ctx, r)),
        Q::IncrementalAlterConfigs(r) => {
            A::IncrementalAlterConfigs(configs::incremental_alter(state, ctx, r))
        }
        Q::DescribeCluster(r) => A::DescribeCluster(describe_cluster::handle(state, ctx, r)),
        Q::DeleteRecords(r) => A::DeleteRecords(delete_records::handle(state, ctx, r)),
        Q::DescribeLogDirs(r) => A::DescribeLogDirs(describe_log_dirs::handle(state, ctx, r)),
        Q::InitProducerId(r) => A::InitProducerId(init_producer_id::handle(state, ctx, r)),
        Q::DescribeTopicPartitions(r) => {
            A::DescribeTopicPartitions(describe_topic_partitions::handle(state, ctx, r))
        }
        Q::CreateAcls(r) => A::CreateAcls(acls::create(ctx, r)),
        Q::DescribeAcls(r) => A::DescribeAcls(acls::describe(ctx, r)),
        Q::DeleteAcls(r) => A::DeleteAcls(acls::delete(ctx, r)),
        Q::ListConfigResources(r) => {
            A::ListConfigResources(list_config_resources::handle(state, ctx, r))
        }
        Q::DescribeClientQuotas(r) => {
            A::DescribeClientQuotas(client_quotas::describe(state, ctx, r))
        }
        Q::AlterClientQuotas(r) => A::AlterClientQuotas(client_quotas::alter(state, ctx, r)),
        Q::DescribeUserScramCredentials(r) => {
            A::DescribeUserScramCredentials(scram_credentials::describe(state, ctx, r))
        }
        Q::AlterUserScramCredentials(r) => {
            A::AlterUserScramCredentials(scram_credentials::alter(state, ctx, r))
        }
        // On a SASL listener the connection's authenticator answers these; here the listener
        // has no SASL (or the connection is already authenticated), as Kafka answers.
        Q::SaslHandshake(_) => crate::security::sasl::refuse_without_sasl(ApiKey::SaslHandshake),
        Q::SaslAuthenticate(_) => {
            crate::security::sasl::refuse_without_sasl(ApiKey::SaslAuthenticate)
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

//! DescribeGroups: state, protocol and members (with assignments) of groups.
//! The group state lives in `coordinator/`; this file asks it for each group and turns each
//! [`GroupDescription`] (or error) into the versioned response.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::describe_groups_response::{DescribedGroup, DescribedGroupMember};
use kafka_protocol::messages::{DescribeGroupsRequest, DescribeGroupsResponse, GroupId};

use super::sb;
use crate::context::RequestContext;
use crate::coordinator::GroupDescription;
use crate::state::BrokerState;

/// Each group's `authorized_operations` stays at the schema's default: the principal's
/// operations come from the authoriser (`group_authz::filter_described`).
pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeGroupsRequest,
) -> DescribeGroupsResponse {
    let mut groups = Vec::with_capacity(req.groups.len());
    for id in req.groups {
        let described = state.groups.describe_group(&id.0).await;
        groups.push(described_group(id, described, ctx.api_version));
    }
    DescribeGroupsResponse::default().with_groups(groups)
}

/// One group of the DescribeGroups response of `version`.
pub(crate) fn described_group(
    id: GroupId,
    described: Result<GroupDescription, ErrorCode>,
    version: i16,
) -> DescribedGroup {
    let mut d = DescribedGroup::default();
    let g = match described {
        Ok(g) => g,
        Err(ErrorCode::GroupIdNotFound) => {
            // Kafka describes a missing group as Dead; the error exists from v6 on.
            d.group_state = sb("Dead");
            if version >= 6 {
                d.error_code = ErrorCode::GroupIdNotFound.code();
                d.error_message = Some(sb(format!("Group {} not found.", id.as_str())));
            }
            d.group_id = id;
            return d;
        }
        Err(e) => {
            d.group_id = id;
            d.error_code = e.code();
            return d;
        }
    };
    d.group_id = id;
    d.group_state = sb(g.state);
    d.protocol_type = sb(g.protocol_type);
    d.protocol_data = sb(g.protocol_data);
    d.members = g
        .members
        .into_iter()
        .map(|m| {
            let mut dm = DescribedGroupMember::default();
            dm.member_id = sb(m.member_id);
            if version >= 4 {
                dm.group_instance_id = m.instance_id.map(sb);
            }
            dm.client_id = sb(m.client_id);
            dm.client_host = sb(m.client_host);
            dm.member_metadata = m.metadata;
            dm.member_assignment = m.assignment;
            dm
        })
        .collect();
    d
}

//! ListGroups: every group the coordinator knows, with its state and protocol type.
//! The group state lives in `coordinator/`; this file turns the request's filters (v4 states,
//! v5 types) into a [`GroupFilter`] and the listings into the versioned response.

use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::{GroupId, ListGroupsRequest, ListGroupsResponse};

use super::sb;
use crate::context::RequestContext;
use crate::coordinator::{GroupFilter, GroupListing};
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: ListGroupsRequest,
) -> ListGroupsResponse {
    let version = ctx.api_version;
    let listed = state.groups.list_groups(&filter(&req, version)).await;
    response(listed, version)
}

/// The filter of a ListGroups request of `version` (case-insensitive, as in Kafka).
pub(crate) fn filter(req: &ListGroupsRequest, version: i16) -> GroupFilter {
    GroupFilter {
        states: if version >= 4 {
            req.states_filter.iter().map(|s| s.to_lowercase()).collect()
        } else {
            Default::default()
        },
        types: if version >= 5 {
            req.types_filter.iter().map(|s| s.to_lowercase()).collect()
        } else {
            Default::default()
        },
    }
}

/// The ListGroups response of `version`: the group state exists from v4 on, the type from v5.
pub(crate) fn response(
    listed: Result<Vec<GroupListing>, ferrokafka_protocol::ErrorCode>,
    version: i16,
) -> ListGroupsResponse {
    let mut r = ListGroupsResponse::default();
    match listed {
        Err(e) => r.error_code = e.code(),
        Ok(groups) => {
            r.groups = groups
                .into_iter()
                .map(|g| {
                    let mut lg = ListedGroup::default();
                    lg.group_id = GroupId(sb(g.group_id));
                    lg.protocol_type = sb(g.protocol_type);
                    if version >= 4 {
                        lg.group_state = sb(g.state);
                    }
                    if version >= 5 {
                        lg.group_type = sb(g.group_type);
                    }
                    lg
                })
                .collect();
        }
    }
    r
}

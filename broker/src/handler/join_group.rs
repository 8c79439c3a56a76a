//! JoinGroup: a member joins (or rejoins) a group; the coordinator parks it until the generation forms.
//! The group state lives in `coordinator/`; this file turns the request into a
//! [`JoinRequest`] (deciding what each version means) and the outcome into the versioned response.

use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::{JoinGroupRequest, JoinGroupResponse};
use kafka_protocol::protocol::StrBytes;

use crate::context::RequestContext;
use crate::coordinator::{ClientInfo, JoinOutcome, JoinRequest};
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: JoinGroupRequest,
) -> JoinGroupResponse {
    let client = ClientInfo {
        client_id: ctx.client_id.clone(),
        client_host: ctx.client_host(),
    };
    let group = req.group_id.0.clone();
    let member = req.member_id.clone();
    tracing::debug!(conn = ctx.connection.connection_id, correlation_id = ctx.correlation_id, %group, %member, "JoinGroup received (answered when the generation forms)");
    let version = ctx.api_version;
    let outcome = state.groups.join_group(request(req, version, client)).await;
    let r = response(outcome, version);
    tracing::debug!(
        conn = ctx.connection.connection_id,
        correlation_id = ctx.correlation_id,
        %group,
        member = %r.member_id,
        generation = r.generation_id,
        leader = %r.leader,
        error = r.error_code,
        "JoinGroup answered"
    );
    r
}

/// The coordinator's input for a JoinGroup request of `version`.
pub(crate) fn request(req: JoinGroupRequest, version: i16, client: ClientInfo) -> JoinRequest {
    JoinRequest {
        group_id: req.group_id.0.to_string(),
        member_id: req.member_id.to_string(),
        // Static membership (KIP-345) exists from v5 on.
        instance_id: if version >= 5 {
            req.group_instance_id.as_ref().map(|s| s.to_string())
        } else {
            None
        },
        session_timeout_ms: req.session_timeout_ms,
        // v0 has no rebalance timeout: the session timeout stands in.
        rebalance_timeout_ms: if version >= 1 && req.rebalance_timeout_ms >= 0 {
            req.rebalance_timeout_ms
        } else {
            req.session_timeout_ms
        },
        protocol_type: req.protocol_type.to_string(),
        protocols: req
            .protocols
            .into_iter()
            .map(|p| (p.name.to_string(), p.metadata))
            .collect(),
        require_known_member_id: version >= 4,
        leader_may_skip_assignment: version >= 9,
        client,
    }
}

/// The JoinGroup response of `version` for `o`.
pub(crate) fn response(o: JoinOutcome, version: i16) -> JoinGroupResponse {
    let mut r = JoinGroupResponse::default();
    r.error_code = o.error.map_or(0, |e| e.code());
    r.generation_id = o.generation;
    if version >= 7 {
        r.protocol_type = o.protocol_type.map(StrBytes::from_string);
        r.protocol_name = o.protocol_name.map(StrBytes::from_string);
    } else {
        // Non-nullable before v7.
        r.protocol_name = Some(StrBytes::from_string(o.protocol_name.unwrap_or_default()));
    }
    r.leader = StrBytes::from_string(o.leader);
    if version >= 9 {
        r.skip_assignment = o.skip_assignment;
    }
    r.member_id = StrBytes::from_string(o.member_id);
    r.members = o
        .members
        .into_iter()
        .map(|jm| {
            let mut m = JoinGroupResponseMember::default();
            m.member_id = StrBytes::from_string(jm.member_id);
            if version >= 5 {
                m.group_instance_id = jm.instance_id.map(StrBytes::from_string);
            }
            m.metadata = jm.metadata;
            m
        })
        .collect();
    r
}

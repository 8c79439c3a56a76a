//! Group administration and upkeep: ListGroups, DescribeGroups, DeleteGroups, dropping offsets
//! of deleted topics, and periodic offset expiry / removal of empty groups (Kafka's
//! offsets.retention.minutes rules).

use std::collections::HashSet;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::delete_groups_response::DeletableGroupResult;
use kafka_protocol::messages::describe_groups_response::{DescribedGroup, DescribedGroupMember};
use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::{
    DeleteGroupsRequest, DeleteGroupsResponse, DescribeGroupsRequest, DescribeGroupsResponse,
    GroupId, ListGroupsRequest, ListGroupsResponse,
};
use kafka_protocol::protocol::StrBytes;

use super::group::{Group, GroupState};
use super::store::Record;
use super::{lock_group, now_ms, GroupCoordinator, GroupRef};

fn s(v: impl Into<String>) -> StrBytes {
    StrBytes::from_string(v.into())
}

impl GroupCoordinator {
    /// ListGroups (v4 states filter, v5 types filter; both case-insensitive as in Kafka).
    pub async fn list_groups(&self, req: ListGroupsRequest, version: i16) -> ListGroupsResponse {
        self.ensure_started();
        let mut r = ListGroupsResponse::default();
        if self.is_shut_down() {
            r.error_code = ResponseError::CoordinatorNotAvailable.code();
            return r;
        }
        let states: HashSet<String> = if version >= 4 {
            req.states_filter.iter().map(|s| s.to_lowercase()).collect()
        } else {
            HashSet::new()
        };
        let types: HashSet<String> = if version >= 5 {
            req.types_filter.iter().map(|s| s.to_lowercase()).collect()
        } else {
            HashSet::new()
        };
        if !types.is_empty() && !types.contains("classic") {
            return r;
        }
        let mut listed = Vec::new();
        for arc in self.all_groups() {
            let g = lock_group(&arc);
            if g.is(GroupState::Dead) {
                continue;
            }
            if !states.is_empty() && !states.contains(&g.state.name().to_lowercase()) {
                continue;
            }
            let mut lg = ListedGroup::default();
            lg.group_id = GroupId(s(g.id.clone()));
            lg.protocol_type = s(g.protocol_type.clone().unwrap_or_default());
            if version >= 4 {
                lg.group_state = s(g.state.name());
            }
            if version >= 5 {
                lg.group_type = s("classic");
            }
            listed.push(lg);
        }
        listed.sort_by(|a, b| a.group_id.0.cmp(&b.group_id.0));
        r.groups = listed;
        r
    }

    /// DescribeGroups. Each group's `authorized_operations` stays at the schema's default: the
    /// principal's operations come from the authoriser (`handler::group_authz`), not from here.
    pub async fn describe_groups(
        &self,
        req: DescribeGroupsRequest,
        version: i16,
    ) -> DescribeGroupsResponse {
        self.ensure_started();
        let mut r = DescribeGroupsResponse::default();
        r.groups = req
            .groups
            .iter()
            .map(|id| self.describe_one(&id.0, version))
            .collect();
        r
    }

    fn describe_one(&self, id: &StrBytes, version: i16) -> DescribedGroup {
        let mut d = DescribedGroup::default();
        d.group_id = GroupId(id.clone());
        if self.is_shut_down() {
            d.error_code = ResponseError::CoordinatorNotAvailable.code();
            return d;
        }
        let group = self.find_group(id);
        let guard = group.as_ref().map(lock_group);
        let Some(g) = guard.as_ref().filter(|g| !g.is(GroupState::Dead)) else {
            d.group_state = s(GroupState::Dead.name());
            if version >= 6 {
                d.error_code = ResponseError::GroupIdNotFound.code();
                d.error_message = Some(s(format!("Group {} not found.", id.as_str())));
            }
            return d;
        };
        d.group_state = s(g.state.name());
        d.protocol_type = s(g.protocol_type.clone().unwrap_or_default());
        let stable = g.is(GroupState::Stable);
        let proto = g.protocol_name.clone().unwrap_or_default();
        if stable {
            d.protocol_data = s(proto.clone());
        }
        d.members = g
            .members
            .values()
            .map(|m| {
                let mut dm = DescribedGroupMember::default();
                dm.member_id = s(m.id.clone());
                if version >= 4 {
                    dm.group_instance_id = m.instance_id.clone().map(s);
                }
                dm.client_id = s(m.client_id.clone());
                dm.client_host = s(m.client_host.clone());
                if stable {
                    dm.member_metadata = m.metadata_for(&proto);
                    dm.member_assignment = m.assignment.clone();
                }
                dm
            })
            .collect();
        d
    }

    /// DeleteGroups: only groups without members can be deleted; offsets go with them.
    pub async fn delete_groups(
        &self,
        req: DeleteGroupsRequest,
        _version: i16,
    ) -> DeleteGroupsResponse {
        self.ensure_started();
        let mut r = DeleteGroupsResponse::default();
        r.results = req
            .groups_names
            .iter()
            .map(|id| {
                let mut res = DeletableGroupResult::default();
                res.group_id = id.clone();
                res.error_code = match self.delete_one(&id.0) {
                    Ok(()) => 0,
                    Err(e) => e.code(),
                };
                res
            })
            .collect();
        r
    }

    fn delete_one(&self, id: &str) -> Result<(), ResponseError> {
        if self.is_shut_down() {
            return Err(ResponseError::CoordinatorNotAvailable);
        }
        let arc = self.find_group(id).ok_or(ResponseError::GroupIdNotFound)?;
        let mut g = lock_group(&arc);
        match g.state {
            GroupState::Dead => return Err(ResponseError::GroupIdNotFound),
            GroupState::Empty => {}
            _ => return Err(ResponseError::NonEmptyGroup),
        }
        self.remove_group(&arc, &mut g)
            .map_err(|e| ResponseError::Unknown(e.kafka_code()))
    }

    /// Marks the locked group Dead, writes its tombstone and drops it from the map.
    fn remove_group(&self, arc: &GroupRef, g: &mut Group) -> Result<(), super::CoordinatorError> {
        self.persist(
            &g.id,
            &Record::GroupTombstone {
                group: g.id.clone(),
            },
        )?;
        g.transition(GroupState::Dead, now_ms());
        g.offsets.clear();
        g.pending_members.clear();
        self.unregister_group(&g.id, arc);
        Ok(())
    }

    /// A topic was deleted: drop its committed offsets.
    pub fn on_topic_deleted(&self, topic: &str) {
        for arc in self.all_groups() {
            let mut g = lock_group(&arc);
            let gone: Vec<(String, i32)> = g
                .offsets
                .keys()
                .filter(|(t, _)| t == topic)
                .cloned()
                .collect();
            if !gone.is_empty() {
                let _ = self.remove_offsets(&mut g, gone);
            }
        }
    }

    /// Periodic: expire offsets past `offsets_retention_ms` as Kafka does (empty groups: since
    /// the group became empty; simple groups: since the commit; stable consumer groups: only
    /// topics nobody subscribes to), then remove empty groups that have no offsets left.
    pub fn housekeeping(&self, now_ms: i64) {
        let retention = self.config().offsets_retention_ms;
        for arc in self.all_groups() {
            let mut g = lock_group(&arc);
            if g.is(GroupState::Dead) {
                continue;
            }
            let expired = expired_offsets(&g, now_ms, retention);
            if !expired.is_empty() {
                tracing::info!(group = %g.id, count = expired.len(), "expiring committed offsets");
                if self.remove_offsets(&mut g, expired).is_err() {
                    continue;
                }
            }
            if g.is(GroupState::Empty) && g.offsets.is_empty() && g.pending_members.is_empty() {
                tracing::info!(group = %g.id, "removing empty group without offsets");
                let _ = self.remove_group(&arc, &mut g);
            }
        }
    }
}

fn expired_offsets(g: &Group, now: i64, retention: i64) -> Vec<(String, i32)> {
    let past = |base: i64| now.saturating_sub(base) >= retention;
    match &g.protocol_type {
        None => g
            .offsets
            .iter()
            .filter(|(_, c)| past(c.commit_ts))
            .map(|(k, _)| k.clone())
            .collect(),
        Some(_) if g.is(GroupState::Empty) => {
            if past(g.state_ts) {
                g.offsets.keys().cloned().collect()
            } else {
                Vec::new()
            }
        }
        Some(t) if t == "consumer" && g.is(GroupState::Stable) => match g.subscribed_topics() {
            Some(subscribed) => g
                .offsets
                .iter()
                .filter(|((topic, _), c)| !subscribed.contains(topic) && past(c.commit_ts))
                .map(|(k, _)| k.clone())
                .collect(),
            None => Vec::new(),
        },
        Some(_) => Vec::new(),
    }
}

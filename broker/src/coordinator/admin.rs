//! Group administration and upkeep: ListGroups, DescribeGroups, DeleteGroups, dropping offsets
//! of deleted topics, and periodic offset expiry / removal of empty groups (Kafka's
//! offsets.retention.minutes rules).

use ferrokafka_protocol::ErrorCode;

use super::group::{Group, GroupState};
use super::store::Record;
use super::types::{GroupDescription, GroupFilter, GroupListing, MemberDescription};
use super::{lock_group, now_ms, GroupCoordinator, GroupRef};

impl GroupCoordinator {
    /// ListGroups: the live groups that pass `filter` (states and types compared in lower
    /// case, as Kafka does), sorted by id.
    pub async fn list_groups(&self, filter: &GroupFilter) -> Result<Vec<GroupListing>, ErrorCode> {
        self.ensure_started();
        if self.is_shut_down() {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        if !filter.types.is_empty() && !filter.types.contains("classic") {
            return Ok(Vec::new());
        }
        let mut listed = Vec::new();
        for arc in self.all_groups() {
            let g = lock_group(&arc);
            if g.is(GroupState::Dead) {
                continue;
            }
            if !filter.states.is_empty() && !filter.states.contains(&g.state.name().to_lowercase())
            {
                continue;
            }
            listed.push(GroupListing {
                group_id: g.id.clone(),
                protocol_type: g.protocol_type.clone().unwrap_or_default(),
                state: g.state.name(),
                group_type: "classic",
            });
        }
        listed.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        Ok(listed)
    }

    /// DescribeGroups of one group: GROUP_ID_NOT_FOUND when there is no live group of that id.
    /// The principal's authorised operations come from the authoriser
    /// (`handler::group_authz`), not from here.
    pub async fn describe_group(&self, id: &str) -> Result<GroupDescription, ErrorCode> {
        self.ensure_started();
        if self.is_shut_down() {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        let group = self.find_group(id);
        let guard = group.as_ref().map(lock_group);
        let Some(g) = guard.as_ref().filter(|g| !g.is(GroupState::Dead)) else {
            return Err(ErrorCode::GroupIdNotFound);
        };
        let stable = g.is(GroupState::Stable);
        let proto = g.protocol_name.clone().unwrap_or_default();
        Ok(GroupDescription {
            state: g.state.name(),
            protocol_type: g.protocol_type.clone().unwrap_or_default(),
            protocol_data: if stable { proto.clone() } else { String::new() },
            members: g
                .members
                .values()
                .map(|m| MemberDescription {
                    member_id: m.id.clone(),
                    instance_id: m.instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    metadata: if stable {
                        m.metadata_for(&proto)
                    } else {
                        Default::default()
                    },
                    assignment: if stable {
                        m.assignment.clone()
                    } else {
                        Default::default()
                    },
                })
                .collect(),
        })
    }

    /// DeleteGroups of one group: only a group without members can be deleted; its offsets go
    /// with it.
    pub async fn delete_group(&self, id: &str) -> Result<(), ErrorCode> {
        self.ensure_started();
        self.delete_one(id)
    }

    fn delete_one(&self, id: &str) -> Result<(), ErrorCode> {
        if self.is_shut_down() {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        let arc = self.find_group(id).ok_or(ErrorCode::GroupIdNotFound)?;
        let mut g = lock_group(&arc);
        match g.state {
            GroupState::Dead => return Err(ErrorCode::GroupIdNotFound),
            GroupState::Empty => {}
            _ => return Err(ErrorCode::NonEmptyGroup),
        }
        self.remove_group(&arc, &mut g).map_err(|e| e.error_code())
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

//! What this consumer knows of its group membership: member id, generation, the leader of the
//! last join and the heartbeats the coordinator accepted. Read-only accessors over the group's
//! state; no requests are sent.

use super::Consumer;

impl Consumer {
    /// The member id in the group (empty before joining).
    pub fn member_id(&self) -> String {
        self.inner
            .group
            .as_ref()
            .map(|g| g.lock().member_id.clone())
            .unwrap_or_default()
    }

    /// The member id of the group's leader at the last join (empty before joining).
    pub fn group_leader_id(&self) -> String {
        self.inner
            .group
            .as_ref()
            .map(|g| g.lock().leader_id.clone())
            .unwrap_or_default()
    }

    /// How many heartbeats the group coordinator has accepted from this member (0 without a
    /// group): lets a binding report them as they happen (kafkajs's `consumer.heartbeat`).
    pub fn group_heartbeats(&self) -> u64 {
        self.inner.group.as_ref().map_or(0, |g| g.lock().heartbeats)
    }

    /// The group generation this member joined (`-1` before joining).
    pub fn generation(&self) -> i32 {
        self.inner
            .group
            .as_ref()
            .map_or(-1, |g| g.lock().generation)
    }
}

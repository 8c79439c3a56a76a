//! Timer tasks of the coordinator: member session expiry, the join phase deadline (rebalance
//! timeout and group.initial.rebalance.delay.ms) and the pending-sync deadline.
//!
//! Each timer is a tokio task holding only a weak reference to the coordinator. A timer is
//! "cancelled" by changing the sequence number it captured (join/sync) or the member's
//! incarnation; when it fires it re-checks under the group lock and does nothing if stale. The
//! group lock is never held across the sleep.

use tokio::time::Instant;

use super::group::Group;
use super::{lock_group, ms, GroupCoordinator, GroupRef};

/// What a join-phase timer does when it fires.
#[derive(Debug, Clone, Copy)]
pub(crate) enum JoinTimer {
    /// Complete the join phase (rebalance timeout reached).
    Complete,
    /// Initial rebalance of an empty group: extend while new members keep arriving.
    Initial { delay_ms: i32, remaining_ms: i32 },
}

/// The member's deadline, capped at one session timeout from now: deadlines can move earlier
/// (a new member's long join deadline becomes a session deadline), so a sleeping timer wakes
/// at least once per session timeout to re-check.
fn member_deadline(g: &Group, member_id: &str, incarnation: u64) -> Option<Instant> {
    if let Some(m) = g.members.get(member_id) {
        if m.incarnation == incarnation {
            let cap = Instant::now() + ms(m.session_timeout_ms);
            return Some(m.heartbeat_deadline.min(cap));
        }
    }
    match g.pending_members.get(member_id) {
        Some((deadline, inc)) if *inc == incarnation => Some(*deadline),
        _ => None,
    }
}

fn exact_deadline(g: &Group, member_id: &str, incarnation: u64) -> Option<Instant> {
    match g.members.get(member_id) {
        Some(m) if m.incarnation == incarnation => Some(m.heartbeat_deadline),
        _ => member_deadline(g, member_id, incarnation),
    }
}

impl GroupCoordinator {
    fn spawn(&self, fut: impl std::future::Future<Output = ()> + Send + 'static) {
        match tokio::runtime::Handle::try_current() {
            Ok(h) => {
                h.spawn(fut);
            }
            Err(_) => tracing::warn!("group coordinator timer not started: no tokio runtime"),
        }
    }

    /// Watches the session of a member (or pending member) until it leaves or expires.
    pub(crate) fn spawn_member_timer(&self, arc: &GroupRef, member_id: String, incarnation: u64) {
        let weak = self.me.clone();
        let arc = arc.clone();
        self.spawn(async move {
            loop {
                let wake_at = {
                    let g = lock_group(&arc);
                    match member_deadline(&g, &member_id, incarnation) {
                        Some(d) => d,
                        None => return,
                    }
                };
                tokio::time::sleep_until(wake_at).await;
                let Some(coord) = weak.upgrade() else {
                    return;
                };
                let mut g = lock_group(&arc);
                match exact_deadline(&g, &member_id, incarnation) {
                    None => return,
                    Some(d) if d > Instant::now() => continue,
                    Some(_) => {}
                }
                if coord.on_session_expired(&arc, &mut g, &member_id) {
                    return;
                }
            }
        });
    }

    /// Arms the join-phase timer of the group, replacing any earlier one.
    pub(crate) fn schedule_join_timer(
        &self,
        arc: &GroupRef,
        g: &mut Group,
        delay_ms: i32,
        kind: JoinTimer,
    ) {
        let seq = self.next_seq();
        g.join_timer = seq;
        let weak = self.me.clone();
        let arc = arc.clone();
        self.spawn(async move {
            tokio::time::sleep(ms(delay_ms)).await;
            let Some(coord) = weak.upgrade() else {
                return;
            };
            let mut g = lock_group(&arc);
            if g.join_timer != seq {
                return;
            }
            g.join_timer = 0;
            coord.on_join_timer(&arc, &mut g, kind);
        });
    }

    /// Arms the pending-sync timer: members that do not sync within the rebalance timeout
    /// after the join phase are removed.
    pub(crate) fn schedule_sync_timer(&self, arc: &GroupRef, g: &mut Group) {
        let seq = self.next_seq();
        g.sync_timer = seq;
        let generation = g.generation;
        let delay = g.rebalance_timeout_ms();
        let weak = self.me.clone();
        let arc = arc.clone();
        self.spawn(async move {
            tokio::time::sleep(ms(delay)).await;
            let Some(coord) = weak.upgrade() else {
                return;
            };
            let mut g = lock_group(&arc);
            if g.sync_timer != seq {
                return;
            }
            g.sync_timer = 0;
            coord.on_sync_expired(&arc, &mut g, generation);
        });
    }
}

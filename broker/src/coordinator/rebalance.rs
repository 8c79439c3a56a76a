//! The rebalance state machine of a classic group: entering PreparingRebalance, completing the
//! join phase (new generation, protocol selection, join responses), propagating the leader's
//! assignment, and removing members on session expiry, leave or missed sync — as Kafka's
//! GroupMetadataManager does. Called with the group locked; never awaits.

use ferrokafka_protocol::ErrorCode;
use tokio::time::Instant;

use super::group::{Group, GroupState};
use super::store::Record;
use super::timers::JoinTimer;
use super::types::{JoinOutcome, SyncOutcome};
use super::{ms, now_ms, GroupCoordinator, GroupRef, NEW_MEMBER_JOIN_TIMEOUT};

impl GroupCoordinator {
    pub(crate) fn prepare_rebalance(&self, arc: &GroupRef, g: &mut Group, reason: &str) {
        if g.is(GroupState::CompletingRebalance) {
            reset_and_propagate_assignment_error(g, ErrorCode::RebalanceInProgress);
        }
        // Cancel the pending-sync deadline.
        g.sync_timer = 0;
        g.pending_sync.clear();
        let initial = g.is(GroupState::Empty);
        tracing::info!(group = %g.id, generation = g.generation, reason, "preparing to rebalance group");
        if initial {
            let delay = self.config().group_initial_rebalance_delay_ms.max(0);
            let remaining = (g.rebalance_timeout_ms() - delay).max(0);
            self.schedule_join_timer(
                arc,
                g,
                delay,
                JoinTimer::Initial {
                    delay_ms: delay,
                    remaining_ms: remaining,
                },
            );
        }
        g.transition(GroupState::PreparingRebalance, now_ms());
        if !initial {
            if g.has_all_members_joined() {
                self.complete_join(arc, g);
            } else {
                let timeout = g.rebalance_timeout_ms();
                self.schedule_join_timer(arc, g, timeout, JoinTimer::Complete);
            }
        }
    }

    pub(crate) fn maybe_prepare_rebalance_or_complete_join(
        &self,
        arc: &GroupRef,
        g: &mut Group,
        reason: &str,
    ) {
        if g.can_rebalance() {
            self.prepare_rebalance(arc, g, reason);
        } else {
            self.maybe_complete_join_phase(arc, g);
        }
    }

    /// Completes the join phase early when every member rejoined (never during the initial
    /// delayed rebalance of an empty group).
    pub(crate) fn maybe_complete_join_phase(&self, arc: &GroupRef, g: &mut Group) {
        if g.is(GroupState::PreparingRebalance)
            && g.previous_state != GroupState::Empty
            && g.has_all_members_joined()
        {
            self.complete_join(arc, g);
        }
    }

    pub(crate) fn on_join_timer(&self, arc: &GroupRef, g: &mut Group, kind: JoinTimer) {
        match kind {
            JoinTimer::Complete => self.complete_join(arc, g),
            JoinTimer::Initial {
                delay_ms,
                remaining_ms,
            } => {
                if g.new_member_added && remaining_ms != 0 {
                    g.new_member_added = false;
                    let initial = self.config().group_initial_rebalance_delay_ms.max(0);
                    let new_delay = initial.min(remaining_ms);
                    let new_remaining = (remaining_ms - delay_ms).max(0);
                    self.schedule_join_timer(
                        arc,
                        g,
                        new_delay,
                        JoinTimer::Initial {
                            delay_ms: new_delay,
                            remaining_ms: new_remaining,
                        },
                    );
                } else {
                    self.complete_join(arc, g);
                }
            }
        }
    }

    /// Ends the join phase: drops dynamic members that did not rejoin, starts the next
    /// generation and answers every parked JoinGroup (the leader gets the member list).
    pub(crate) fn complete_join(&self, arc: &GroupRef, g: &mut Group) {
        g.join_timer = 0;
        g.new_member_added = false;
        let not_rejoined: Vec<String> = g
            .members
            .values()
            .filter(|m| m.awaiting_join.is_none() && m.instance_id.is_none())
            .map(|m| m.id.clone())
            .collect();
        for id in &not_rejoined {
            g.remove_member(id);
        }
        if !not_rejoined.is_empty() {
            tracing::info!(group = %g.id, members = ?not_rejoined, "removed members who did not rejoin");
        }
        if g.is(GroupState::Dead) {
            return;
        }
        if !g.maybe_elect_joined_leader() && !g.members.is_empty() {
            // Only static members that did not rejoin remain: wait another rebalance timeout
            // for them (their sessions expire meanwhile if they are gone).
            let timeout = g.rebalance_timeout_ms();
            self.schedule_join_timer(arc, g, timeout, JoinTimer::Complete);
            return;
        }
        g.generation += 1;
        if g.members.is_empty() {
            g.protocol_name = None;
            g.transition(GroupState::Empty, now_ms());
            tracing::info!(group = %g.id, generation = g.generation, "group is now empty");
            let _ = self.persist(&g.id, &Record::Group(g.to_record()));
            return;
        }
        g.protocol_name = g.select_protocol();
        g.transition(GroupState::CompletingRebalance, now_ms());
        tracing::info!(group = %g.id, generation = g.generation, members = g.members.len(), "stabilized group");
        let leader = g.leader.clone().unwrap_or_default();
        let member_list = g.member_list();
        let now = Instant::now();
        let base = JoinOutcome {
            error: None,
            generation: g.generation,
            protocol_type: g.protocol_type.clone(),
            protocol_name: g.protocol_name.clone(),
            leader: leader.clone(),
            ..Default::default()
        };
        let mut synced = Vec::new();
        for m in g.members.values_mut() {
            let mut outcome = base.clone();
            outcome.member_id = m.id.clone();
            if m.id == leader {
                outcome.members = member_list.clone();
            }
            if let Some(tx) = m.awaiting_join.take() {
                let _ = tx.send(outcome);
            }
            m.heartbeat_deadline = now + ms(m.session_timeout_ms);
            m.is_new = false;
            synced.push(m.id.clone());
        }
        g.pending_sync = synced.into_iter().collect();
        self.schedule_sync_timer(arc, g);
    }

    /// Members that did not send SyncGroup within the rebalance timeout are removed.
    pub(crate) fn on_sync_expired(&self, arc: &GroupRef, g: &mut Group, generation: i32) {
        if generation != g.generation
            || !matches!(
                g.state,
                GroupState::CompletingRebalance | GroupState::Stable
            )
            || g.pending_sync.is_empty()
        {
            return;
        }
        let missing: Vec<String> = g.pending_sync.drain().collect();
        for id in &missing {
            g.remove_member(id);
        }
        self.prepare_rebalance(arc, g, &format!("members {missing:?} did not sync in time"));
    }

    /// Session deadline reached; returns true when the timer task should stop.
    pub(crate) fn on_session_expired(
        &self,
        arc: &GroupRef,
        g: &mut Group,
        member_id: &str,
    ) -> bool {
        if g.is(GroupState::Dead) {
            return true;
        }
        if g.pending_members.remove(member_id).is_some() {
            tracing::info!(group = %g.id, member_id, "pending member expired");
            if g.is(GroupState::PreparingRebalance) && g.has_all_members_joined() {
                self.complete_join(arc, g);
            }
            return true;
        }
        let Some(m) = g.members.get_mut(member_id) else {
            return true;
        };
        if !m.is_new && (m.awaiting_join.is_some() || m.awaiting_sync.is_some()) {
            // Members parked in a rebalance satisfy their heartbeat.
            m.heartbeat_deadline = Instant::now() + ms(m.session_timeout_ms);
            return false;
        }
        tracing::info!(group = %g.id, member_id, "member session expired, removing it from the group");
        self.remove_member_and_update(arc, g, member_id, "session expired");
        true
    }

    /// Removes a member (leave, expiry) and rebalances or completes the join phase.
    pub(crate) fn remove_member_and_update(
        &self,
        arc: &GroupRef,
        g: &mut Group,
        member_id: &str,
        reason: &str,
    ) {
        if let Some(mut m) = g.remove_member(member_id) {
            if let Some(tx) = m.awaiting_join.take() {
                let _ = tx.send(JoinOutcome::error(ErrorCode::UnknownMemberId, ""));
            }
            if let Some(tx) = m.awaiting_sync.take() {
                let _ = tx.send(SyncOutcome::error(ErrorCode::UnknownMemberId));
            }
        }
        match g.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.maybe_prepare_rebalance_or_complete_join(
                    arc,
                    g,
                    &format!("removing member {member_id}: {reason}"),
                );
            }
            GroupState::PreparingRebalance if g.has_all_members_joined() => {
                self.complete_join(arc, g);
            }
            _ => {}
        }
    }

    /// Deadline of a brand-new member's parked join.
    pub(crate) fn new_member_deadline(&self) -> Instant {
        Instant::now() + NEW_MEMBER_JOIN_TIMEOUT
    }
}

/// Clears every assignment and answers parked SyncGroup calls with `error`.
pub(crate) fn reset_and_propagate_assignment_error(g: &mut Group, error: ErrorCode) {
    for m in g.members.values_mut() {
        m.assignment = Default::default();
        if let Some(tx) = m.awaiting_sync.take() {
            let _ = tx.send(SyncOutcome::error(error));
        }
    }
}

/// Answers parked SyncGroup calls with each member's assignment.
pub(crate) fn propagate_assignment(g: &mut Group) {
    let protocol_type = g.protocol_type.clone();
    let protocol_name = g.protocol_name.clone();
    for m in g.members.values_mut() {
        if let Some(tx) = m.awaiting_sync.take() {
            let _ = tx.send(SyncOutcome {
                error: None,
                protocol_type: protocol_type.clone(),
                protocol_name: protocol_name.clone(),
                assignment: m.assignment.clone(),
            });
        }
    }
}

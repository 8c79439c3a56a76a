//! What a consumer knows about its partitions: subscription, assignment, positions, pause
//! flags, buffered records and in-flight fetches.
//!
//! Owns [`State`], kept behind a std mutex that is never held across an await: async work
//! (fetching, joining, listing offsets) snapshots what it needs, awaits, then applies.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::sync::Arc;

use regex::Regex;
use tokio::time::Instant;

use super::listener::RebalanceListener;
use super::record::{ConsumerRecord, OffsetAndMetadata};
use crate::types::TopicPartition;

/// How partitions are chosen.
#[derive(Clone, Default)]
pub enum Subscription {
    #[default]
    None,
    Topics(BTreeSet<String>),
    Pattern(Regex),
    /// `assign()`: fixed partitions, no group membership.
    Manual,
}

/// One assigned partition.
#[derive(Debug, Default)]
pub struct PartState {
    /// The next offset to hand out; `None` until reset from the committed offset or policy.
    pub position: Option<i64>,
    pub leader_epoch: Option<i32>,
    pub paused: bool,
    /// The last fetch hit OFFSET_OUT_OF_RANGE: reset by policy, not from the committed offset.
    pub out_of_range: bool,
    pub buffer: VecDeque<ConsumerRecord>,
    pub high_watermark: i64,
    pub fetching: bool,
}

/// Everything mutable of one consumer.
#[derive(Default)]
pub struct State {
    pub subscription: Subscription,
    /// Topics the current subscription resolves to.
    pub topics: BTreeSet<String>,
    pub parts: BTreeMap<TopicPartition, PartState>,
    pub inflight_brokers: HashSet<i32>,
    pub listener: Option<Arc<dyn RebalanceListener>>,
    pub last_auto_commit: Option<Instant>,
    pub pattern_checked: Option<Instant>,
    /// After a failed pattern lookup: not before this instant again.
    pub pattern_retry_at: Option<Instant>,
    /// After a failed position lookup: not before this instant again.
    pub reset_retry_at: Option<Instant>,
    pub closed: bool,
    /// Auto-commit positions of partitions revoked cooperatively, committed before rejoining.
    pub revoke_commit: BTreeMap<TopicPartition, OffsetAndMetadata>,
}

impl State {
    /// The assigned partitions.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.parts.keys().cloned().collect()
    }

    /// Positions of every partition that has one, for committing.
    pub fn positions(&self) -> BTreeMap<TopicPartition, (i64, Option<i32>)> {
        self.parts
            .iter()
            .filter_map(|(tp, p)| p.position.map(|o| (tp.clone(), (o, p.leader_epoch))))
            .collect()
    }

    /// Adds partitions with no position yet.
    pub fn add(&mut self, parts: &[TopicPartition]) {
        for tp in parts {
            self.parts.entry(tp.clone()).or_default();
        }
    }

    /// Removes partitions (and their buffered records).
    pub fn remove(&mut self, parts: &[TopicPartition]) {
        for tp in parts {
            self.parts.remove(tp);
        }
    }

    /// Takes up to `max` buffered records of unpaused partitions, advancing positions.
    pub fn take_records(&mut self, max: usize) -> Vec<ConsumerRecord> {
        let mut out = Vec::new();
        for (_, p) in self.parts.iter_mut() {
            if p.paused {
                continue;
            }
            while out.len() < max {
                let Some(r) = p.buffer.pop_front() else { break };
                if p.position.is_some_and(|pos| r.offset < pos) {
                    continue;
                }
                p.position = Some(r.offset + 1);
                if r.leader_epoch.is_some() {
                    p.leader_epoch = r.leader_epoch;
                }
                out.push(r);
            }
            if out.len() >= max {
                break;
            }
        }
        out
    }
}

//! Java's `ConstrainedAssignmentBuilder`: the sticky assignment when every member has the same
//! subscription.
//!
//! 1. Each member (in subscription `HashMap` order) keeps its owned partitions, sorted by
//!    (partition, topic): all if under the min quota, the max quota while members above the min
//!    quota are still wanted, else the min quota. With racks, only partitions on its rack.
//! 2. With racks, unassigned partitions go round-robin to unfilled members on a matching rack.
//! 3. The rest go round-robin to members under the min quota (member-id order), then one each
//!    to members at the min quota.
//!
//! Records which partitions change owner, for the cooperative protocol. Must not reorder steps:
//! Java's result depends on each of them.

use std::collections::{HashMap, VecDeque};

use tracing::error;

use super::{java_str_cmp, Claims, Context};
use crate::types::TopicPartition;

struct Builder<'a> {
    ctx: &'a Context<'a>,
    claims: &'a Claims,
    min_quota: usize,
    max_quota: usize,
    expected_over_min: usize,
    current_over_min: usize,
    assignment: Vec<Vec<TopicPartition>>,
    assigned: Vec<TopicPartition>,
    maybe_revoked: HashMap<TopicPartition, usize>,
    under_min: Vec<usize>,
    exactly_min: VecDeque<usize>,
    transferring: HashMap<TopicPartition, usize>,
}

/// Per member index: its partitions; and partition → new owner for moved partitions.
pub(super) fn assign(
    ctx: &Context,
    claims: &Claims,
) -> (Vec<Vec<TopicPartition>>, HashMap<TopicPartition, usize>) {
    let n = ctx.members.len();
    let mut b = Builder {
        ctx,
        claims,
        min_quota: ctx.total / n,
        max_quota: ctx.total.div_ceil(n),
        expected_over_min: ctx.total % n,
        current_over_min: 0,
        assignment: vec![Vec::new(); n],
        assigned: Vec::new(),
        maybe_revoked: HashMap::new(),
        under_min: Vec::new(),
        exactly_min: VecDeque::new(),
        transferring: HashMap::new(),
    };
    b.assign_owned();
    let mut unassigned = b.unassigned();
    let rank = &ctx.rank;
    b.under_min.sort_by_key(|&c| rank[c]);
    b.exactly_min.make_contiguous().sort_by_key(|&c| rank[c]);
    ctx.racks.sort_by_rack_consumers(&mut unassigned);
    b.rack_aware_round_robin(&mut unassigned);
    b.round_robin(&unassigned);
    (b.assignment, b.transferring)
}

impl Builder<'_> {
    fn assign_owned(&mut self) {
        for &c in &self.ctx.order {
            let mut owned: Vec<TopicPartition> = Vec::new();
            for tp in &self.claims.owned[c] {
                if self.ctx.racks.mismatch(c, tp) {
                    self.maybe_revoked.insert(tp.clone(), c);
                } else {
                    owned.push(tp.clone());
                }
            }
            owned.sort_by(|a, b| {
                a.partition
                    .cmp(&b.partition)
                    .then_with(|| java_str_cmp(&a.topic, &b.topic))
            });
            for tp in &self.claims.multiply_claimed {
                if let Some(i) = owned.iter().position(|p| p == tp) {
                    owned.remove(i);
                }
            }
            let keep = if owned.len() < self.min_quota {
                self.under_min.push(c);
                owned.len()
            } else if owned.len() >= self.max_quota
                && self.current_over_min < self.expected_over_min
            {
                self.current_over_min += 1;
                if self.current_over_min == self.expected_over_min {
                    self.exactly_min.clear();
                }
                self.max_quota
            } else {
                if self.current_over_min < self.expected_over_min {
                    self.exactly_min.push_back(c);
                }
                self.min_quota
            };
            for tp in owned.drain(keep..) {
                self.maybe_revoked.insert(tp, c);
            }
            self.assignment[c].extend(owned.iter().cloned());
            self.assigned.extend(owned);
        }
    }

    /// Every partition in (topic, partition) order that is not assigned, by the same two-pointer
    /// walk as Java (which, like Java, assumes `assigned` only holds existing partitions).
    fn unassigned(&mut self) -> Vec<TopicPartition> {
        let all = self
            .ctx
            .topics
            .iter()
            .flat_map(|(t, n)| (0..*n as i32).map(move |p| TopicPartition::new(t.as_str(), p)));
        if self.assigned.is_empty() {
            return all.collect();
        }
        self.assigned.sort_by(|a, b| {
            java_str_cmp(&a.topic, &b.topic).then_with(|| a.partition.cmp(&b.partition))
        });
        let mut next = self.assigned.iter();
        let mut current = next.next();
        let mut out = Vec::new();
        for tp in all {
            match current {
                Some(a) if *a == tp => current = next.next(),
                _ => out.push(tp),
            }
        }
        out
    }

    fn rack_aware_round_robin(&mut self, unassigned: &mut Vec<TopicPartition>) {
        if !self.ctx.racks.active() {
            return;
        }
        let mut next_unfilled = 0;
        let mut remaining = Vec::with_capacity(unassigned.len());
        for tp in std::mem::take(unassigned) {
            let mut consumer = None;
            let racks = &self.ctx.racks;
            if let Some(mut idx) = racks.next_rack_consumer(&tp, &self.under_min, next_unfilled) {
                let c = self.under_min[idx];
                consumer = Some(c);
                let count = self.assignment[c].len() + 1;
                if count >= self.min_quota {
                    self.under_min.retain(|&x| x != c);
                    if count < self.max_quota && self.current_over_min < self.expected_over_min {
                        self.exactly_min.push_back(c);
                    }
                } else {
                    idx += 1;
                }
                next_unfilled = if self.under_min.is_empty() {
                    0
                } else {
                    idx % self.under_min.len()
                };
            } else if !self.exactly_min.is_empty() {
                let list: Vec<usize> = self.exactly_min.iter().copied().collect();
                if let Some(first) = racks.next_rack_consumer(&tp, &list, 0) {
                    let c = list[first];
                    consumer = Some(c);
                    if self.assignment[c].len() + 1 == self.max_quota {
                        self.exactly_min.remove(first);
                        self.current_over_min += 1;
                        if self.current_over_min == self.expected_over_min {
                            self.exactly_min.clear();
                        }
                    }
                }
            }
            match consumer {
                Some(c) => {
                    self.assign_new(tp, c);
                }
                None => remaining.push(tp),
            }
        }
        *unassigned = remaining;
    }

    fn round_robin(&mut self, unassigned: &[TopicPartition]) {
        // A cursor over `under_min` standing in for Java's list iterator.
        let mut pos = 0;
        for (i, tp) in unassigned.iter().enumerate() {
            let (c, from_iter) = if pos < self.under_min.len() {
                pos += 1;
                (self.under_min[pos - 1], true)
            } else if self.under_min.is_empty() {
                match self.exactly_min.pop_front() {
                    Some(c) => (c, false),
                    None => {
                        error!(
                            remaining = unassigned.len() - i,
                            "sticky assignor: no more unfilled members for the remaining partitions"
                        );
                        return;
                    }
                }
            } else {
                pos = 1;
                (self.under_min[0], true)
            };
            let count = self.assign_new(tp.clone(), c);
            if count == self.min_quota {
                if from_iter {
                    pos -= 1;
                    self.under_min.remove(pos);
                }
                self.exactly_min.push_back(c);
            } else if count == self.max_quota {
                self.current_over_min += 1;
            }
        }
    }

    fn assign_new(&mut self, tp: TopicPartition, c: usize) -> usize {
        let moved = self.maybe_revoked.get(&tp).is_some_and(|&o| o != c)
            || self.claims.multiply_claimed.contains(&tp);
        if moved {
            self.transferring.insert(tp.clone(), c);
        }
        self.assignment[c].push(tp);
        self.assignment[c].len()
    }
}

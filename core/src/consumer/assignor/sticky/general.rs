//! Java's `GeneralAssignmentBuilder`: the sticky assignment when subscriptions differ.
//!
//! Keeps every still-valid owned partition, hands unassigned partitions (topics with the fewest
//! potential members first) to the least loaded eligible member, then moves partitions from
//! loaded to lighter members until balanced, preferring a partition's previous-generation owner
//! and undoing moves between the same pair ([`Movements`]). If that rebalancing does not improve
//! the balance score it is reverted, as in Java. Racks (KIP-881) are honoured when active.
//! Members are ordered by (partition count, member id) as Java's `TreeSet`.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::movements::Movements;
use super::{java_str_cmp, Context, DEFAULT_GENERATION};
use crate::types::TopicPartition;

struct Builder<'a> {
    ctx: &'a Context<'a>,
    /// topic → members subscribed to it (subscription order)
    topic_consumers: HashMap<&'a str, Vec<usize>>,
    /// member → existing topics it subscribes to
    consumer_topics: Vec<Vec<&'a str>>,
    /// member → partitions; `None` while the member is set aside as fixed
    current: Vec<Option<Vec<TopicPartition>>>,
    partition_consumer: HashMap<TopicPartition, usize>,
    sorted_partitions: Vec<TopicPartition>,
    /// (partition count, rank) of the members taking part, as Java's `sortedCurrentSubscriptions`
    sorted: BTreeSet<(usize, usize)>,
    /// rank → member index
    by_rank: Vec<usize>,
    revocation_required: bool,
    movements: Movements,
    /// partition → (member, generation) that owned it in the newest older generation
    prev: HashMap<TopicPartition, (usize, i32)>,
}

/// Per member index: its partitions.
pub(super) fn assign(ctx: &Context, owned: Vec<Vec<TopicPartition>>) -> Vec<Vec<TopicPartition>> {
    let n = ctx.members.len();
    let mut topic_consumers: HashMap<&str, Vec<usize>> = ctx
        .topics
        .iter()
        .map(|(t, _)| (t.as_str(), Vec::new()))
        .collect();
    let mut consumer_topics = vec![Vec::new(); n];
    for &c in &ctx.order {
        for t in &ctx.members[c].topics {
            if let Some(list) = topic_consumers.get_mut(t.as_str()) {
                list.push(c);
                consumer_topics[c].push(t.as_str());
            }
        }
    }
    let mut partition_consumer = HashMap::new();
    for (c, list) in owned.iter().enumerate() {
        for tp in list {
            partition_consumer.insert(tp.clone(), c);
        }
    }
    let mut topics: Vec<&(String, usize)> = ctx.topics.iter().collect();
    topics.sort_by(|a, b| {
        let (x, y) = (
            topic_consumers[a.0.as_str()].len(),
            topic_consumers[b.0.as_str()].len(),
        );
        x.cmp(&y).then_with(|| java_str_cmp(&a.0, &b.0))
    });
    let sorted_partitions = topics
        .iter()
        .flat_map(|(t, n)| (0..*n as i32).map(move |p| TopicPartition::new(t.as_str(), p)))
        .collect();
    let mut by_rank = vec![0; n];
    for (c, &r) in ctx.rank.iter().enumerate() {
        by_rank[r] = c;
    }
    let mut b = Builder {
        ctx,
        topic_consumers,
        consumer_topics,
        current: owned.into_iter().map(Some).collect(),
        partition_consumer,
        sorted_partitions,
        sorted: BTreeSet::new(),
        by_rank,
        revocation_required: false,
        movements: Movements::default(),
        prev: HashMap::new(),
    };
    b.prepopulate_prev();
    let assigned = b.keep_owned();
    let unassigned = b.unassigned(assigned);
    for c in 0..n {
        b.sorted_insert(c);
    }
    b.balance(unassigned);
    b.current
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

impl<'a> Builder<'a> {
    fn size(&self, c: usize) -> Option<usize> {
        self.current[c].as_ref().map(Vec::len)
    }

    fn sorted_insert(&mut self, c: usize) {
        if let Some(s) = self.size(c) {
            self.sorted.insert((s, self.ctx.rank[c]));
        }
    }

    fn sorted_remove(&mut self, c: usize) {
        if let Some(s) = self.size(c) {
            self.sorted.remove(&(s, self.ctx.rank[c]));
        }
    }

    fn sorted_members(&self) -> impl Iterator<Item = usize> + '_ {
        self.sorted.iter().map(|&(_, r)| self.by_rank[r])
    }

    fn subscribes(&self, c: usize, topic: &str) -> bool {
        self.consumer_topics[c].contains(&topic)
    }

    /// Partitions reported by members of an older generation (or none, when others have one).
    fn prepopulate_prev(&mut self) {
        let max = self.ctx.max_generation();
        for &c in &self.ctx.order {
            let data = &self.ctx.data[c];
            let generation = match data.generation {
                Some(g) if g < max => g,
                None if max > DEFAULT_GENERATION => DEFAULT_GENERATION,
                _ => continue,
            };
            for tp in &data.partitions {
                match self.prev.get(tp) {
                    Some(&(_, g)) if generation <= g => {}
                    _ => {
                        self.prev.insert(tp.clone(), (c, generation));
                    }
                }
            }
        }
    }

    /// Drops owned partitions the member no longer subscribes to (or that are off its rack);
    /// returns those kept.
    fn keep_owned(&mut self) -> Vec<TopicPartition> {
        let mut assigned = Vec::new();
        for &c in &self.ctx.order {
            let Some(list) = self.current[c].take() else {
                continue;
            };
            let mut kept = Vec::with_capacity(list.len());
            for tp in list {
                if !self.topic_consumers.contains_key(&*tp.topic) {
                    self.partition_consumer.remove(&tp);
                } else if !self.ctx.members[c].topics.iter().any(|t| **t == *tp.topic)
                    || self.ctx.racks.mismatch(c, &tp)
                {
                    self.revocation_required = true;
                } else {
                    assigned.push(tp.clone());
                    kept.push(tp);
                }
            }
            self.current[c] = Some(kept);
        }
        assigned
    }

    fn topic_consumer_count(&self, topic: &str) -> usize {
        self.topic_consumers.get(topic).map_or(0, Vec::len)
    }

    /// All partitions not in `assigned`, in the sorted-partitions order (two-pointer walk as Java).
    fn unassigned(&self, mut assigned: Vec<TopicPartition>) -> Vec<TopicPartition> {
        if assigned.is_empty() {
            return self.sorted_partitions.clone();
        }
        assigned.sort_by(|a, b| {
            let (x, y) = (
                self.topic_consumer_count(&a.topic),
                self.topic_consumer_count(&b.topic),
            );
            x.cmp(&y)
                .then_with(|| java_str_cmp(&a.topic, &b.topic))
                .then_with(|| a.partition.cmp(&b.partition))
        });
        let mut next = assigned.iter();
        let mut current = next.next();
        let mut out = Vec::new();
        for tp in &self.sorted_partitions {
            match current {
                Some(a) if a == tp => current = next.next(),
                _ => out.push(tp.clone()),
            }
        }
        out
    }

    fn max_assignment_size(&self, c: usize) -> usize {
        let topics = &self.consumer_topics[c];
        if topics.len() == self.ctx.topics.len() {
            self.ctx.total
        } else {
            topics
                .iter()
                .filter_map(|t| self.ctx.partition_count(t))
                .sum()
        }
    }

    fn is_balanced(&self) -> bool {
        let (Some(&(min, _)), Some(&(max, _))) = (self.sorted.first(), self.sorted.last()) else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        let mut owner: HashMap<(&str, i32), usize> = HashMap::new();
        for (c, list) in self.current.iter().enumerate() {
            for tp in list.iter().flatten() {
                owner.insert((&*tp.topic, tp.partition), c);
            }
        }
        for c in self.sorted_members() {
            let Some(mine) = self.current[c].as_ref() else {
                continue;
            };
            let count = mine.len();
            if count == self.max_assignment_size(c) {
                continue;
            }
            let mine: HashSet<(&str, i32)> =
                mine.iter().map(|tp| (&*tp.topic, tp.partition)).collect();
            for &topic in &self.consumer_topics[c] {
                for p in 0..self.ctx.partition_count(topic).unwrap_or(0) as i32 {
                    if mine.contains(&(topic, p)) {
                        continue;
                    }
                    let other = owner.get(&(topic, p)).and_then(|&o| self.size(o));
                    if other.is_some_and(|o| count + 1 < o) {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn balance_score(&self) -> usize {
        let sizes: Vec<usize> = self.current.iter().flatten().map(Vec::len).collect();
        let mut score = 0;
        for (i, a) in sizes.iter().enumerate() {
            for b in &sizes[i + 1..] {
                score += a.abs_diff(*b);
            }
        }
        score
    }

    /// Gives `tp` to the least loaded member that can take it; false if none.
    fn assign_to_least_loaded(&mut self, tp: &TopicPartition, use_racks: bool) -> bool {
        let found = self.sorted_members().find(|&c| {
            self.subscribes(c, &tp.topic) && (!use_racks || !self.ctx.racks.mismatch(c, tp))
        });
        let Some(c) = found else {
            return false;
        };
        self.sorted_remove(c);
        if let Some(list) = self.current[c].as_mut() {
            list.push(tp.clone());
        }
        self.partition_consumer.insert(tp.clone(), c);
        self.sorted_insert(c);
        true
    }

    fn balance(&mut self, mut unassigned: Vec<TopicPartition>) {
        let initializing = self.sorted.last().is_none_or(|&(size, _)| size == 0);
        let mut to_assign = unassigned.clone();
        if self.ctx.racks.active() {
            let mut rest = Vec::new();
            for tp in to_assign {
                if self.topic_consumer_count(&tp.topic) == 0
                    || !self.assign_to_least_loaded(&tp, true)
                {
                    rest.push(tp);
                }
            }
            to_assign = rest;
        }
        for tp in &to_assign {
            if self.topic_consumer_count(&tp.topic) > 0 {
                self.assign_to_least_loaded(tp, false);
            }
        }

        let fixed_topics: HashSet<&str> = self
            .topic_consumers
            .iter()
            .filter(|(_, cs)| cs.len() < 2)
            .map(|(t, _)| *t)
            .collect();
        self.sorted_partitions
            .retain(|tp| !fixed_topics.contains(&*tp.topic));
        unassigned.retain(|tp| !fixed_topics.contains(&*tp.topic));

        let mut fixed: Vec<(usize, Vec<TopicPartition>)> = Vec::new();
        for c in 0..self.current.len() {
            if !self.can_participate(c) {
                self.sorted_remove(c);
                if let Some(list) = self.current[c].take() {
                    fixed.push((c, list));
                }
            }
        }

        let pre_balance = self.current.clone();
        let pre_balance_owners = self.partition_consumer.clone();
        let pre_score = self.balance_score();
        if !self.revocation_required {
            self.perform_reassignments(&unassigned);
        }
        let all = std::mem::take(&mut self.sorted_partitions);
        let reassigned = self.perform_reassignments(&all);
        if !initializing && reassigned && self.balance_score() >= pre_score {
            self.current = pre_balance;
            self.partition_consumer = pre_balance_owners;
        }
        for (c, list) in fixed {
            self.current[c] = Some(list);
        }
    }

    fn can_participate(&self, c: usize) -> bool {
        let Some(list) = self.current[c].as_ref() else {
            return false;
        };
        if list.len() < self.max_assignment_size(c) {
            return true;
        }
        list.iter()
            .any(|tp| self.topic_consumer_count(&tp.topic) >= 2)
    }

    fn perform_reassignments(&mut self, partitions: &[TopicPartition]) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(&c) = self.partition_consumer.get(tp) else {
                    continue;
                };
                let Some(size) = self.size(c) else {
                    continue;
                };
                if let Some(&(prev, _)) = self.prev.get(tp) {
                    if self.size(prev).is_some_and(|p| size > p + 1) {
                        self.reassign(tp, prev);
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                let lighter = |other: &usize| self.size(*other).is_some_and(|o| size > o + 1);
                let consumers = self
                    .topic_consumers
                    .get(&*tp.topic)
                    .cloned()
                    .unwrap_or_default();
                let mut found = false;
                let racks = &self.ctx.racks;
                if let (Some(rack), Some(tp_racks)) =
                    (racks.consumer_rack(c), racks.partition_racks(tp))
                {
                    if tp_racks.contains(rack) {
                        found = consumers.iter().any(|o| {
                            racks
                                .consumer_rack(*o)
                                .is_some_and(|r| tp_racks.contains(r))
                                && lighter(o)
                        });
                    }
                }
                if found || consumers.iter().any(lighter) {
                    self.reassign_to_least_loaded(tp);
                    performed = true;
                    modified = true;
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    fn reassign_to_least_loaded(&mut self, tp: &TopicPartition) {
        let found = self
            .sorted_members()
            .find(|&c| self.subscribes(c, &tp.topic));
        if let Some(c) = found {
            self.reassign(tp, c);
        }
    }

    fn reassign(&mut self, tp: &TopicPartition, new: usize) {
        let Some(&c) = self.partition_consumer.get(tp) else {
            return;
        };
        let moving = self.movements.actual_partition_to_move(tp, c, new);
        let Some(&old) = self.partition_consumer.get(&moving) else {
            return;
        };
        self.sorted_remove(old);
        self.sorted_remove(new);
        self.movements.move_partition(&moving, old, new);
        if let Some(list) = self.current[old].as_mut() {
            if let Some(i) = list.iter().position(|p| *p == moving) {
                list.remove(i);
            }
        }
        if let Some(list) = self.current[new].as_mut() {
            list.push(moving.clone());
        }
        self.partition_consumer.insert(moving, new);
        self.sorted_insert(new);
        self.sorted_insert(old);
    }
}

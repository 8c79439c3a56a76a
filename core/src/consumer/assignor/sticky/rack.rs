//! Rack information for the sticky assignors (KIP-881), as Java's `RackInfo` decides it.
//!
//! Rack-aware assignment is used only when some member has a rack, some partition replica is on
//! one of those racks, and not every partition has replicas on the same set of racks. Owns the
//! "does this member's rack hold a replica" questions; it does not assign anything.

use std::collections::{BTreeSet, HashMap};

use crate::types::TopicPartition;

use super::super::{MemberSubscription, ReplicaRacks};

pub(super) struct RackInfo {
    /// member index → rack (empty unless rack-aware assignment is on)
    consumer_racks: HashMap<usize, String>,
    /// partition → racks of its replicas (empty unless rack-aware assignment is on)
    partition_racks: HashMap<TopicPartition, BTreeSet<String>>,
    /// partition → members on racks holding one of its replicas (set whenever a member has a rack)
    consumers_by_partition: HashMap<TopicPartition, usize>,
}

impl RackInfo {
    pub fn new(
        partitions: &[TopicPartition],
        replica_racks: &ReplicaRacks,
        members: &[MemberSubscription],
    ) -> RackInfo {
        let mut consumers_by_rack: HashMap<&str, usize> = HashMap::new();
        for m in members {
            if let Some(r) = m.rack.as_deref().filter(|r| !r.is_empty()) {
                *consumers_by_rack.entry(r).or_default() += 1;
            }
        }
        let mut partition_racks: HashMap<TopicPartition, BTreeSet<String>> = HashMap::new();
        let mut all_partition_racks: BTreeSet<&str> = BTreeSet::new();
        if !consumers_by_rack.is_empty() {
            for tp in partitions {
                let racks: BTreeSet<String> = replica_racks
                    .get(tp)
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
                partition_racks.insert(tp.clone(), racks);
            }
            for tp in partitions {
                for r in replica_racks.get(tp).into_iter().flatten() {
                    all_partition_racks.insert(r.as_str());
                }
            }
        }
        let use_racks = !consumers_by_rack.is_empty()
            && consumers_by_rack
                .keys()
                .any(|r| all_partition_racks.contains(r))
            && !partition_racks.values().all(|racks| {
                racks.len() == all_partition_racks.len()
                    && racks
                        .iter()
                        .all(|r| all_partition_racks.contains(r.as_str()))
            });
        let consumers_by_partition = partition_racks
            .iter()
            .map(|(tp, racks)| {
                let n = racks
                    .iter()
                    .map(|r| consumers_by_rack.get(r.as_str()).copied().unwrap_or(0))
                    .sum();
                (tp.clone(), n)
            })
            .collect();
        if !use_racks {
            return RackInfo {
                consumer_racks: HashMap::new(),
                partition_racks: HashMap::new(),
                consumers_by_partition,
            };
        }
        let consumer_racks = members
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                m.rack
                    .as_ref()
                    .filter(|r| !r.is_empty())
                    .map(|r| (i, r.clone()))
            })
            .collect();
        RackInfo {
            consumer_racks,
            partition_racks,
            consumers_by_partition,
        }
    }

    /// Whether rack-aware assignment is on.
    pub fn active(&self) -> bool {
        !self.consumer_racks.is_empty()
    }

    pub fn consumer_rack(&self, member: usize) -> Option<&str> {
        self.consumer_racks.get(&member).map(String::as_str)
    }

    pub fn partition_racks(&self, tp: &TopicPartition) -> Option<&BTreeSet<String>> {
        self.partition_racks.get(tp)
    }

    /// The member has a rack and no replica of `tp` is on it.
    pub fn mismatch(&self, member: usize, tp: &TopicPartition) -> bool {
        match self.consumer_racks.get(&member) {
            None => false,
            Some(r) => !self.partition_racks.get(tp).is_some_and(|s| s.contains(r)),
        }
    }

    /// Partitions with fewer same-rack members first (stable).
    pub fn sort_by_rack_consumers(&self, partitions: &mut [TopicPartition]) {
        if !self.consumers_by_partition.is_empty() {
            partitions.sort_by_key(|tp| self.consumers_by_partition.get(tp).copied().unwrap_or(0));
        }
    }

    /// Index into `list`, searching round from `first`, of a member on a rack holding `tp`.
    pub fn next_rack_consumer(
        &self,
        tp: &TopicPartition,
        list: &[usize],
        first: usize,
    ) -> Option<usize> {
        let racks = self.partition_racks.get(tp).filter(|r| !r.is_empty())?;
        (0..list.len())
            .map(|i| (first + i) % list.len())
            .find(|&idx| {
                self.consumer_racks
                    .get(&list[idx])
                    .is_some_and(|r| racks.contains(r))
            })
    }
}

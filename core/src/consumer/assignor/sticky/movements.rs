//! Java's `PartitionMovements`: which partitions the general sticky pass has moved, between
//! which members, so a later move back between the same pair picks an already moved partition.
//!
//! The partition picked is the first of a Java `HashSet` of partitions, so its iteration order is
//! modelled ([`JavaHashSet`]). Owns bookkeeping only; it never changes an assignment.

use std::collections::HashMap;
use std::sync::Arc;

use super::super::java_hash::{tp_hash, JavaHashSet};
use crate::types::TopicPartition;

/// (from member, to member), by member index.
type Pair = (usize, usize);

#[derive(Default)]
pub(super) struct Movements {
    by_partition: HashMap<TopicPartition, Pair>,
    by_topic: HashMap<Arc<str>, HashMap<Pair, JavaHashSet<TopicPartition>>>,
}

impl Movements {
    fn remove_record(&mut self, tp: &TopicPartition) -> Option<Pair> {
        let pair = self.by_partition.remove(tp)?;
        if let Some(topic) = self.by_topic.get_mut(&tp.topic) {
            if let Some(set) = topic.get_mut(&pair) {
                set.remove(tp);
                if set.is_empty() {
                    topic.remove(&pair);
                }
            }
            if topic.is_empty() {
                self.by_topic.remove(&tp.topic);
            }
        }
        Some(pair)
    }

    fn add_record(&mut self, tp: &TopicPartition, pair: Pair) {
        self.by_partition.insert(tp.clone(), pair);
        self.by_topic
            .entry(tp.topic.clone())
            .or_default()
            .entry(pair)
            .or_default()
            .insert(tp.clone(), tp_hash(tp));
    }

    /// Records that `tp` moves from `old` to `new`; a move back to where it started cancels out.
    pub fn move_partition(&mut self, tp: &TopicPartition, old: usize, new: usize) {
        match self.remove_record(tp) {
            Some((src, _)) => {
                if src != new {
                    self.add_record(tp, (src, new));
                }
            }
            None => self.add_record(tp, (old, new)),
        }
    }

    /// The partition to move instead of `tp` from `old` to `new`: one that already moved from
    /// `new` to (the original owner of `tp`), if any.
    pub fn actual_partition_to_move(
        &self,
        tp: &TopicPartition,
        old: usize,
        new: usize,
    ) -> TopicPartition {
        let Some(topic) = self.by_topic.get(&tp.topic) else {
            return tp.clone();
        };
        let old = self.by_partition.get(tp).map_or(old, |p| p.0);
        topic
            .get(&(new, old))
            .and_then(|set| set.first())
            .cloned()
            .unwrap_or_else(|| tp.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_back_prefers_an_already_moved_partition() {
        let mut m = Movements::default();
        let (a, b) = (0, 1);
        let t3 = TopicPartition::new("t", 3);
        let t5 = TopicPartition::new("t", 5);
        assert_eq!(m.actual_partition_to_move(&t3, a, b), t3);
        m.move_partition(&t3, a, b);
        // Moving t5 from b back to a: t3 (which went a → b) goes back instead.
        assert_eq!(m.actual_partition_to_move(&t5, b, a), t3);
        m.move_partition(&t3, b, a);
        assert_eq!(m.actual_partition_to_move(&t5, b, a), t5);
        assert!(m.by_topic.is_empty());
    }
}

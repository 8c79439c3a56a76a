//! Iteration order of Java's `HashMap` / `HashSet`, which Java's assignors leak into their results.
//!
//! Owns a small model of the table: capacity 16 that doubles past 3/4 full (or when a bucket
//! reaches nine entries while the table is below 64), buckets by the spread hash, and insertion
//! order within a bucket. It stores no values and must not be used as a general-purpose set.

use crate::types::TopicPartition;

use super::java_hash;

/// `TopicPartition.hashCode` in kafka-clients.
pub fn tp_hash(tp: &TopicPartition) -> i32 {
    31i32
        .wrapping_mul(31i32.wrapping_add(tp.partition))
        .wrapping_add(java_hash(&tp.topic))
}

/// The keys of a Java `HashSet` (default capacity), in the order it iterates them.
#[derive(Debug, Clone)]
pub struct JavaHashSet<K> {
    cap: usize,
    next_seq: u64,
    /// (key, spread hash, insertion sequence)
    entries: Vec<(K, u32, u64)>,
}

impl<K: PartialEq> Default for JavaHashSet<K> {
    fn default() -> Self {
        JavaHashSet {
            cap: 16,
            next_seq: 0,
            entries: Vec::new(),
        }
    }
}

impl<K: PartialEq> JavaHashSet<K> {
    fn bucket(&self, spread: u32) -> usize {
        spread as usize & (self.cap - 1)
    }

    /// Adds `key` (whose Java `hashCode` is `hash`) unless present; true if added.
    pub fn insert(&mut self, key: K, hash: i32) -> bool {
        if self.entries.iter().any(|e| e.0 == key) {
            return false;
        }
        let h = hash as u32;
        let spread = h ^ (h >> 16);
        let b = self.bucket(spread);
        let in_bucket = self
            .entries
            .iter()
            .filter(|e| self.bucket(e.1) == b)
            .count();
        self.entries.push((key, spread, self.next_seq));
        self.next_seq += 1;
        // treeifyBin on a small table resizes instead.
        if in_bucket >= 8 && self.cap < 64 {
            self.cap *= 2;
        }
        if self.entries.len() > self.cap * 3 / 4 {
            self.cap *= 2;
        }
        true
    }

    /// Removes `key`; true if it was present.
    pub fn remove(&mut self, key: &K) -> bool {
        match self.entries.iter().position(|e| e.0 == *key) {
            Some(i) => {
                self.entries.remove(i);
                true
            }
            None => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What `iterator().next()` returns.
    pub fn first(&self) -> Option<&K> {
        self.entries
            .iter()
            .min_by_key(|e| (self.bucket(e.1), e.2))
            .map(|e| &e.0)
    }

    /// Every key in iteration order.
    pub fn order(&self) -> Vec<&K> {
        let mut v: Vec<&(K, u32, u64)> = self.entries.iter().collect();
        v.sort_by_key(|e| (self.bucket(e.1), e.2));
        v.into_iter().map(|e| &e.0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_keys_iterate_by_bucket_then_insertion() {
        let mut s = JavaHashSet::default();
        // Integer.hashCode is the value: 17 and 1 share bucket 1 in a 16-slot table.
        for k in [17, 3, 1, 16] {
            assert!(s.insert(k, k));
        }
        assert!(!s.insert(3, 3));
        assert_eq!(s.order(), vec![&16, &17, &1, &3]);
        assert_eq!(s.first(), Some(&16));
        assert!(s.remove(&16));
        assert_eq!(s.first(), Some(&17));
    }

    #[test]
    fn a_ninth_key_in_one_bucket_doubles_a_small_table() {
        let mut s = JavaHashSet::default();
        for k in 0..13 {
            s.insert(k * 16, k * 16);
        }
        // All land in bucket 0 of 16; the ninth doubles the table to 32, splitting them into
        // bucket 0 (multiples of 32) and bucket 16, each keeping insertion order.
        let order: Vec<i32> = s.order().into_iter().copied().collect();
        assert_eq!(order[..7], [0, 32, 64, 96, 128, 160, 192]);
    }

    #[test]
    fn topic_partition_hash_matches_java() {
        // new TopicPartition("t", 0).hashCode() == 31 * 31 + "t".hashCode() == 961 + 116
        assert_eq!(tp_hash(&TopicPartition::new("t", 0)), 1077);
    }
}

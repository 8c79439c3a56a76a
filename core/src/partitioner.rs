//! Choosing a partition for a record, exactly as the Java client does.
//!
//! Owns murmur2 (`Utils.murmur2`), the keyed formula (`BuiltInPartitioner.partitionForKey`),
//! sticky keyless partitioning (KIP-480/794: stay on one partition until about `batch.size`
//! bytes went to it and its batch closed, then switch), and the [`Partitioner`] hook for custom
//! logic. It must not look at metadata itself: callers pass partition counts and availability.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Mutex;

/// Java's `Utils.murmur2`: 32-bit murmur2 with seed `0x9747b28c`.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h: u32 = SEED ^ (len as u32);
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if let Some(&b) = tail.first() {
        h ^= u32::from(b);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Java's `BuiltInPartitioner.partitionForKey`: `(murmur2(key) & 0x7fffffff) % partitions`.
pub fn partition_for_key(key: &[u8], partitions: i32) -> i32 {
    if partitions <= 0 {
        return 0;
    }
    (murmur2(key) & 0x7fff_ffff) % partitions
}

/// What a custom partitioner sees about the topic.
#[derive(Debug, Clone, Copy)]
pub struct PartitionContext<'a> {
    pub topic: &'a str,
    /// Number of partitions of the topic.
    pub partition_count: i32,
    /// Partitions that currently have a leader.
    pub available: &'a [i32],
}

/// A custom partitioner (Java's `Partitioner` interface). Return `None` to fall back to the
/// built-in behaviour (keyed murmur2, else sticky).
pub trait Partitioner: Send + Sync {
    fn partition(
        &self,
        ctx: &PartitionContext<'_>,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
    ) -> Option<i32>;
}

#[derive(Debug, Clone, Copy)]
struct Sticky {
    partition: i32,
    produced_bytes: usize,
}

/// The built-in partitioner: keyed murmur2 and sticky keyless choice, per topic.
#[derive(Debug)]
pub struct BuiltInPartitioner {
    ignore_keys: bool,
    sticky_batch_size: usize,
    /// Per topic; looked up twice per keyless record, so a fast non-keyed hash (the keys are
    /// the application's topic names).
    sticky: Mutex<HashMap<String, Sticky, BuildHasherDefault<rustc_hash::FxHasher>>>,
}

impl BuiltInPartitioner {
    /// `ignore_keys` is `partitioner.ignore.keys`; `batch_size` is `batch.size`.
    pub fn new(ignore_keys: bool, batch_size: usize) -> BuiltInPartitioner {
        BuiltInPartitioner {
            ignore_keys,
            sticky_batch_size: batch_size.max(1),
            sticky: Mutex::new(HashMap::default()),
        }
    }

    /// The partition for a record without an explicit partition.
    pub fn partition(&self, ctx: &PartitionContext<'_>, key: Option<&[u8]>) -> i32 {
        if let (Some(k), false) = (key, self.ignore_keys) {
            return partition_for_key(k, ctx.partition_count);
        }
        let mut map = self.sticky.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(ctx.topic) {
            Some(s) if s.partition < ctx.partition_count => s.partition,
            _ => {
                let p = pick(ctx, None);
                map.insert(
                    ctx.topic.to_string(),
                    Sticky {
                        partition: p,
                        produced_bytes: 0,
                    },
                );
                p
            }
        }
    }

    /// Records that `bytes` were appended to `partition` of `ctx.topic`. `batch_closed` says the
    /// partition's open batch is full (or a new one had to be started): only then may the sticky
    /// choice move on, so each batch fills up before another partition gets records (KIP-794).
    pub fn on_append(
        &self,
        ctx: &PartitionContext<'_>,
        partition: i32,
        bytes: usize,
        batch_closed: bool,
    ) {
        let mut map = self.sticky.lock().unwrap_or_else(|p| p.into_inner());
        let Some(s) = map.get_mut(ctx.topic) else {
            return;
        };
        if s.partition != partition {
            return;
        }
        s.produced_bytes += bytes;
        let full = s.produced_bytes >= self.sticky_batch_size;
        if (full && batch_closed) || s.produced_bytes >= 2 * self.sticky_batch_size {
            s.partition = pick(ctx, Some(partition));
            s.produced_bytes = 0;
        }
    }

    /// Called before a keyless record of `bytes` goes to `partition`, when it would not fit the
    /// partition's open batch: if about `batch.size` bytes went to the sticky partition already,
    /// moves on now and returns the new choice, so the record starts the next partition's batch
    /// instead of a batch of its own that would wait out `linger.ms` (KIP-480's abort-on-new-batch,
    /// with KIP-794's byte count).
    pub fn switch_before_new_batch(
        &self,
        ctx: &PartitionContext<'_>,
        partition: i32,
        bytes: usize,
    ) -> Option<i32> {
        let mut map = self.sticky.lock().unwrap_or_else(|p| p.into_inner());
        let s = map.get_mut(ctx.topic)?;
        if s.partition != partition || s.produced_bytes + bytes < self.sticky_batch_size {
            return None;
        }
        s.partition = pick(ctx, Some(partition));
        s.produced_bytes = 0;
        Some(s.partition)
    }

    /// The partition the next keyless record of `topic` would use, if one was chosen.
    pub fn current_sticky(&self, topic: &str) -> Option<i32> {
        let map = self.sticky.lock().unwrap_or_else(|p| p.into_inner());
        map.get(topic).map(|s| s.partition)
    }
}

/// A random available partition, different from `previous` when there is a choice.
fn pick(ctx: &PartitionContext<'_>, previous: Option<i32>) -> i32 {
    let all: Vec<i32>;
    let candidates: &[i32] = if ctx.available.is_empty() {
        all = (0..ctx.partition_count.max(1)).collect();
        &all
    } else {
        ctx.available
    };
    if candidates.len() == 1 {
        return candidates[0];
    }
    loop {
        let idx = crate::random::below(candidates.len() as u64) as usize;
        let p = candidates.get(idx).copied().unwrap_or(0);
        if Some(p) != previous {
            return p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(n: i32) -> (Vec<i32>, i32) {
        ((0..n).collect(), n)
    }

    #[test]
    fn murmur2_known_values() {
        // From the Java client (see tests/vectors/partitioner/vectors.json).
        assert_eq!(murmur2(b"a"), -1563381124);
        assert_eq!(murmur2(b"key"), -1079937367);
        assert_eq!(partition_for_key(b"key", 1000), 281);
    }

    #[test]
    fn keyed_records_use_murmur2_unless_ignored() {
        let (avail, n) = ctx(12);
        let c = PartitionContext {
            topic: "t",
            partition_count: n,
            available: &avail,
        };
        let p = BuiltInPartitioner::new(false, 100);
        assert_eq!(p.partition(&c, Some(b"key")), partition_for_key(b"key", 12));
        let ignoring = BuiltInPartitioner::new(true, 100);
        let sticky = ignoring.partition(&c, Some(b"key"));
        for k in 0..50u32 {
            assert_eq!(ignoring.partition(&c, Some(&k.to_be_bytes())), sticky);
        }
    }

    #[test]
    fn keyless_records_stick_until_batch_closes() {
        let (avail, n) = ctx(8);
        let c = PartitionContext {
            topic: "t",
            partition_count: n,
            available: &avail,
        };
        let p = BuiltInPartitioner::new(false, 100);
        let first = p.partition(&c, None);
        // 90 bytes: under batch.size, still sticky.
        p.on_append(&c, first, 90, false);
        assert_eq!(p.partition(&c, None), first);
        // Over batch.size but the batch is still open: stays.
        p.on_append(&c, first, 20, false);
        assert_eq!(p.partition(&c, None), first);
        // Batch closed: switches to another partition.
        p.on_append(&c, first, 10, true);
        let second = p.partition(&c, None);
        assert_ne!(second, first);
        // Twice batch.size forces a switch even with an open batch.
        p.on_append(&c, second, 250, false);
        assert_ne!(p.partition(&c, None), second);
    }

    #[test]
    fn a_record_that_would_start_a_batch_moves_on_once_batch_size_went_out() {
        let (avail, n) = ctx(8);
        let c = PartitionContext {
            topic: "t",
            partition_count: n,
            available: &avail,
        };
        let p = BuiltInPartitioner::new(false, 100);
        let first = p.partition(&c, None);
        p.on_append(&c, first, 60, false);
        // 60 + 30 < 100: too early to leave, even if this record needs a new batch.
        assert_eq!(p.switch_before_new_batch(&c, first, 30), None);
        assert_eq!(p.partition(&c, None), first);
        // 60 + 40 reaches batch.size: the record goes to the next partition instead.
        let next = p.switch_before_new_batch(&c, first, 40).unwrap();
        assert_ne!(next, first);
        assert_eq!(p.partition(&c, None), next);
        // Not the sticky partition (explicit or stale choice): nothing moves.
        assert_eq!(p.switch_before_new_batch(&c, first, 1000), None);
        assert_eq!(p.partition(&c, None), next);
    }

    #[test]
    fn sticky_only_picks_available_partitions() {
        let avail = vec![3];
        let c = PartitionContext {
            topic: "t",
            partition_count: 5,
            available: &avail,
        };
        let p = BuiltInPartitioner::new(false, 1);
        for _ in 0..20 {
            let q = p.partition(&c, None);
            assert_eq!(q, 3);
            p.on_append(&c, q, 10, true);
        }
    }
}

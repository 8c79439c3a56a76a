//! Java's `HashMap` iteration order, for output Kafka lists by iterating one: TopicCommand's
//! `Configs:` list comes from `Config.entries()`, a `HashMap<String, ConfigEntry>` filled in the
//! order of the DescribeConfigs answer; ConfigCommand's quota lines come from the admin client's
//! `HashMap`s of entities and values. The CLI prints in the same order, and the broker answers
//! in the order Kafka's own collections give, so both line up with Kafka's on any broker.

/// `String.hashCode()`: 31-based over UTF-16 code units, wrapping.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// `HashMap.hash()`: the high half folded into the low half.
fn spread(h: i32) -> u32 {
    let h = h as u32;
    h ^ (h >> 16)
}

/// Reorders `items` (distinct keys, in insertion order) into the order a `new HashMap<>()` into
/// which they were `put` one by one iterates them: buckets ascending, insertion order within a
/// bucket (a resize splits each bucket keeping that order). The table starts at 16 and doubles
/// when the size passes 3/4 of it, or when a bucket reaches 9 entries while it is under 64.
/// Buckets that Java would turn into trees (9+ colliding keys in a table of 64+) keep insertion
/// order here, which Java's tree bins do not promise.
pub fn hash_map_order<T>(items: Vec<T>, key: impl Fn(&T) -> &str) -> Vec<T> {
    hash_map_order_by(items, |i| string_hash(key(i)), None)
}

/// As [`hash_map_order`], for keys whose Java `hashCode()` is `hash`, in a map made with
/// `new HashMap<>(initial_capacity)` when that is given (its table starts at the next power of
/// two, at least 1).
pub fn hash_map_order_by<T>(
    items: Vec<T>,
    hash: impl Fn(&T) -> i32,
    initial_capacity: Option<usize>,
) -> Vec<T> {
    let hashes: Vec<u32> = items.iter().map(|i| spread(hash(i))).collect();
    let mut capacity: u32 = initial_capacity.map_or(16, |c| (c.max(1) as u32).next_power_of_two());
    let mut bucket_sizes = vec![0usize; capacity as usize];
    for (n, &h) in hashes.iter().enumerate() {
        let bucket = (h & (capacity - 1)) as usize;
        bucket_sizes[bucket] += 1;
        let too_many_in_bin = bucket_sizes[bucket] >= 9 && capacity < 64;
        if n + 1 > (capacity as usize * 3) / 4 || too_many_in_bin {
            capacity *= 2;
            bucket_sizes = vec![0; capacity as usize];
            for &h in &hashes[..=n] {
                bucket_sizes[(h & (capacity - 1)) as usize] += 1;
            }
        }
    }
    let mut order: Vec<(u32, usize, T)> = items
        .into_iter()
        .enumerate()
        .map(|(n, item)| (hashes[n] & (capacity - 1), n, item))
        .collect();
    order.sort_by_key(|&(bucket, n, _)| (bucket, n));
    order.into_iter().map(|(_, _, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_matches_java() {
        // Values of "...".hashCode() in Java.
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("hello"), 99_162_322);
        assert_eq!(
            string_hash("retention.ms"),
            string_hash_reference("retention.ms")
        );
    }

    fn string_hash_reference(s: &str) -> i32 {
        let n = s.len() as u32;
        s.bytes().enumerate().fold(0i32, |h, (i, b)| {
            h.wrapping_add(i32::from(b).wrapping_mul(31i32.wrapping_pow(n - 1 - i as u32)))
        })
    }

    /// Kafka 4.3.1's kafka-topics printed, for a topic with these overrides on Apache Kafka:
    /// `Configs: min.insync.replicas=1,cleanup.policy=compact,segment.bytes=1048576,retention.ms=1000,max.message.bytes=2000`
    /// from a DescribeConfigs answer listing all 33 topic configs in this order.
    #[test]
    fn topic_configs_come_out_as_kafka_topics_prints_them() {
        let answer = [
            "compression.type",
            "remote.log.delete.on.disable",
            "leader.replication.throttled.replicas",
            "remote.storage.enable",
            "min.insync.replicas",
            "segment.jitter.ms",
            "remote.log.copy.disable",
            "local.retention.ms",
            "cleanup.policy",
            "flush.ms",
            "follower.replication.throttled.replicas",
            "compression.lz4.level",
            "segment.bytes",
            "retention.ms",
            "compression.gzip.level",
            "flush.messages",
            "compression.zstd.level",
            "max.compaction.lag.ms",
            "file.delete.delay.ms",
            "max.message.bytes",
            "min.compaction.lag.ms",
            "message.timestamp.type",
            "local.retention.bytes",
            "preallocate",
            "index.interval.bytes",
            "min.cleanable.dirty.ratio",
            "unclean.leader.election.enable",
            "retention.bytes",
            "delete.retention.ms",
            "message.timestamp.after.max.ms",
            "message.timestamp.before.max.ms",
            "segment.ms",
            "segment.index.bytes",
        ];
        let overridden = [
            "min.insync.replicas",
            "cleanup.policy",
            "segment.bytes",
            "retention.ms",
            "max.message.bytes",
        ];
        let printed: Vec<&str> = hash_map_order(answer.to_vec(), |k| k)
            .into_iter()
            .filter(|k| overridden.contains(k))
            .collect();
        assert_eq!(printed, overridden);
        // In alphabetical insertion order the colliding pair would swap: order is not a sort.
        let mut sorted = answer.to_vec();
        sorted.sort();
        let from_sorted: Vec<&str> = hash_map_order(sorted, |k| k)
            .into_iter()
            .filter(|k| overridden.contains(k))
            .collect();
        assert_ne!(from_sorted, overridden);
    }

    #[test]
    fn small_maps_resize_like_java() {
        // 13 keys pass 16 * 3/4, so the table is 32: "a".."m" are 97..109, buckets 1..13 of 32.
        let keys: Vec<String> = (b'a'..=b'm')
            .rev()
            .map(|c| (c as char).to_string())
            .collect();
        let ordered = hash_map_order(keys, |k| k);
        let expected: Vec<String> = (b'a'..=b'm').map(|c| (c as char).to_string()).collect();
        assert_eq!(ordered, expected);
    }
}

//! Partition assignors compatible with Java's `range`, `roundrobin` and `cooperative-sticky`.
//!
//! Owns the [`Assignor`] trait the group leader runs, the member view it sees
//! ([`MemberSubscription`]) and Java's member ordering. Each assignor produces, for the same
//! input, the assignment Java's assignor produces, so our consumers and Java consumers can
//! share a group. It must not send requests; [`protocol`] owns the bytes on the wire.

pub mod java_hash;
pub mod range;
pub mod roundrobin;
pub mod sticky;

use std::cmp::Ordering;
use std::collections::BTreeMap;

use bytes::Bytes;

pub use crate::requests::consumer_protocol::MemberSubscription;
use crate::types::TopicPartition;

/// How partitions move during a rebalance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebalanceProtocol {
    /// Every member revokes everything before rejoining.
    Eager,
    /// KIP-429: members keep partitions that do not move; moved ones are revoked first.
    Cooperative,
}

/// member id → partitions assigned to it.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// partition → racks of its replicas, for rack-aware assignment (KIP-881). A partition without
/// an entry has no rack information.
pub type ReplicaRacks = BTreeMap<TopicPartition, Vec<String>>;

/// A partition assignor run by the group leader.
pub trait Assignor: Send + Sync {
    /// The protocol name in JoinGroup (`range`, `roundrobin`, `cooperative-sticky`, kafkajs's
    /// `RoundRobinAssigner`).
    fn name(&self) -> &'static str;
    /// Eager or cooperative.
    fn rebalance_protocol(&self) -> RebalanceProtocol;
    /// User data this member puts into its subscription.
    fn subscription_user_data(&self, _generation: i32) -> Option<Bytes> {
        None
    }
    /// The consumer-protocol version this member writes its subscription and, as leader, the
    /// assignments in (Java writes its newest; kafkajs's assigners write 0).
    fn protocol_version(&self) -> i16 {
        crate::requests::consumer_protocol::VERSION
    }
    /// User data the leader puts into each assignment.
    fn assignment_user_data(&self) -> Option<Bytes> {
        None
    }
    /// Assigns the partitions of `partitions_per_topic` (topic → partition count) to `members`.
    /// Every member appears in the result, possibly with nothing.
    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        members: &[MemberSubscription],
    ) -> Assignment;
    /// Like [`Assignor::assign`], also given the racks of each partition's replicas; assignors
    /// that are not rack-aware ignore them.
    fn assign_with_racks(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        _replica_racks: &ReplicaRacks,
        members: &[MemberSubscription],
    ) -> Assignment {
        self.assign(partitions_per_topic, members)
    }
}

/// The assignor named in `partition.assignment.strategy` (`sticky` maps to the eager variant of
/// the sticky algorithm).
pub fn by_name(name: &str) -> Option<Box<dyn Assignor>> {
    match name {
        "range" => Some(Box::new(range::RangeAssignor)),
        "roundrobin" => Some(Box::new(roundrobin::RoundRobinAssignor::JAVA)),
        "RoundRobinAssigner" => Some(Box::new(roundrobin::RoundRobinAssignor::KAFKAJS)),
        "cooperative-sticky" => Some(Box::new(sticky::StickyAssignor::cooperative())),
        "sticky" => Some(Box::new(sticky::StickyAssignor::eager())),
        _ => None,
    }
}

/// Java's `MemberInfo` order: members with a group instance id first (by instance id), then by
/// member id. Strings compare as Java's `String.compareTo` (UTF-16 code units).
pub fn java_member_cmp(a: &MemberSubscription, b: &MemberSubscription) -> Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java_str_cmp(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java_str_cmp(&a.member_id, &b.member_id),
    }
}

/// `String.compareTo`: lexicographic over UTF-16 code units.
pub fn java_str_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `String.hashCode`.
pub fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// The order in which a `java.util.HashMap` (default capacity, keys put in `keys` order)
/// iterates its keys: by bucket, then insertion order within a bucket.
pub fn java_hashmap_order(keys: &[String]) -> Vec<usize> {
    let mut set = java_hash::JavaHashSet::default();
    for (i, k) in keys.iter().enumerate() {
        if !keys[..i].contains(k) {
            set.insert(i, java_hash(k));
        }
    }
    set.order().into_iter().copied().collect()
}

/// Every member in the result map, each list sorted by (topic, partition) for stable output.
fn empty_assignment(members: &[MemberSubscription]) -> Assignment {
    members
        .iter()
        .map(|m| (m.member_id.clone(), Vec::new()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_string_hash_matches_known_values() {
        assert_eq!(java_hash(""), 0);
        assert_eq!(java_hash("a"), 97);
        assert_eq!(java_hash("hello"), 99_162_322);
        assert_eq!(
            java_hash("consumer-1"),
            "consumer-1"
                .encode_utf16()
                .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
        );
    }

    #[test]
    fn static_members_sort_first() {
        let mut a = MemberSubscription::new("b", &["t"]);
        let b = MemberSubscription::new("a", &["t"]);
        assert_eq!(java_member_cmp(&a, &b), Ordering::Greater);
        a.group_instance_id = Some("z".into());
        assert_eq!(java_member_cmp(&a, &b), Ordering::Less);
    }
}

//! Java's sticky assignors (`cooperative-sticky`, and eager `sticky`), result for result.
//!
//! Follows kafka-clients 4.3's `AbstractStickyAssignor`: ownership claims are resolved first
//! (a newer generation wins a partition claimed twice; two claims in one generation void it),
//! then [`constrained`] runs when every member has the same subscription and [`general`]
//! otherwise, both rack-aware (KIP-881) when replica racks are given. The cooperative variant
//! then withholds partitions that change owner, so they are revoked first (KIP-429). Every place
//! where Java's result depends on `HashMap` iteration order is reproduced (see [`super::java_hash`]).
//! This module must not send requests or keep state between rebalances.

mod constrained;
mod general;
mod member_data;
mod movements;
mod rack;

use std::collections::{BTreeMap, HashMap, HashSet};

use bytes::Bytes;

use super::{
    java_hashmap_order, java_str_cmp, Assignment, Assignor, MemberSubscription, RebalanceProtocol,
    ReplicaRacks,
};
use crate::types::TopicPartition;
use member_data::{MemberData, DEFAULT_GENERATION};
use rack::RackInfo;

/// `cooperative-sticky` or eager `sticky`.
pub struct StickyAssignor {
    protocol: RebalanceProtocol,
}

impl StickyAssignor {
    /// `cooperative-sticky`.
    pub fn cooperative() -> StickyAssignor {
        StickyAssignor {
            protocol: RebalanceProtocol::Cooperative,
        }
    }

    /// Eager `sticky`.
    pub fn eager() -> StickyAssignor {
        StickyAssignor {
            protocol: RebalanceProtocol::Eager,
        }
    }

    fn member_data(&self, m: &MemberSubscription) -> MemberData {
        match self.protocol {
            RebalanceProtocol::Cooperative => member_data::cooperative(m),
            RebalanceProtocol::Eager => member_data::eager(m),
        }
    }
}

impl Assignor for StickyAssignor {
    fn name(&self) -> &'static str {
        match self.protocol {
            RebalanceProtocol::Cooperative => "cooperative-sticky",
            RebalanceProtocol::Eager => "sticky",
        }
    }

    fn rebalance_protocol(&self) -> RebalanceProtocol {
        self.protocol
    }

    fn subscription_user_data(&self, generation: i32) -> Option<Bytes> {
        // Java's CooperativeStickyAssignor sends its generation as user data for brokers and
        // members that predate subscription v2.
        (self.protocol == RebalanceProtocol::Cooperative)
            .then(|| Bytes::copy_from_slice(&generation.to_be_bytes()))
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        members: &[MemberSubscription],
    ) -> Assignment {
        self.assign_with_racks(partitions_per_topic, &ReplicaRacks::new(), members)
    }

    fn assign_with_racks(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        replica_racks: &ReplicaRacks,
        members: &[MemberSubscription],
    ) -> Assignment {
        let mut out: Assignment = members
            .iter()
            .map(|m| (m.member_id.clone(), Vec::new()))
            .collect();
        if members.is_empty() {
            return out;
        }
        let ctx = Context::new(self, partitions_per_topic, replica_racks, members);
        let claims = resolve_claims(&ctx);
        let (mut lists, transferring) = if claims.all_equal {
            let (lists, t) = constrained::assign(&ctx, &claims);
            (lists, Some(t))
        } else {
            (general::assign(&ctx, claims.owned), None)
        };
        if self.protocol == RebalanceProtocol::Cooperative {
            let transferring = transferring.unwrap_or_else(|| transferring_ownership(&ctx, &lists));
            for (tp, member) in transferring {
                if let Some(list) = lists.get_mut(member) {
                    if let Some(i) = list.iter().position(|p| *p == tp) {
                        list.remove(i);
                    }
                }
            }
        }
        for (m, list) in members.iter().zip(lists) {
            out.insert(m.member_id.clone(), list);
        }
        out
    }
}

/// What both builders read: members by index, their Java orders, the topics and racks.
struct Context<'a> {
    pub members: &'a [MemberSubscription],
    /// Member indexes in the leader's subscription `HashMap` iteration order.
    pub order: Vec<usize>,
    /// member index → its position in member-id order (`String.compareTo`).
    pub rank: Vec<usize>,
    /// Subscribed topics that exist, in name order, with their partition counts.
    pub topics: Vec<(String, usize)>,
    pub total: usize,
    pub data: Vec<MemberData>,
    pub racks: RackInfo,
}

impl<'a> Context<'a> {
    fn new(
        assignor: &StickyAssignor,
        ppt: &BTreeMap<String, i32>,
        replica_racks: &ReplicaRacks,
        members: &'a [MemberSubscription],
    ) -> Context<'a> {
        let ids: Vec<String> = members.iter().map(|m| m.member_id.clone()).collect();
        let order = java_hashmap_order(&ids);
        let mut by_id: Vec<usize> = (0..members.len()).collect();
        by_id.sort_by(|&a, &b| java_str_cmp(&ids[a], &ids[b]));
        let mut rank = vec![0; members.len()];
        for (r, &i) in by_id.iter().enumerate() {
            rank[i] = r;
        }
        // As Java's AbstractPartitionAssignor: only subscribed topics with partitions.
        let mut topics: Vec<(String, usize)> = ppt
            .iter()
            .filter(|(t, &n)| n > 0 && members.iter().any(|m| m.topics.contains(t)))
            .map(|(t, &n)| (t.clone(), n as usize))
            .collect();
        topics.sort_by(|a, b| java_str_cmp(&a.0, &b.0));
        let total = topics.iter().map(|t| t.1).sum();
        let partitions: Vec<TopicPartition> = topics
            .iter()
            .flat_map(|(t, n)| (0..*n as i32).map(move |p| TopicPartition::new(t.as_str(), p)))
            .collect();
        Context {
            members,
            order,
            rank,
            topics,
            total,
            data: members.iter().map(|m| assignor.member_data(m)).collect(),
            racks: RackInfo::new(&partitions, replica_racks, members),
        }
    }

    pub fn partition_count(&self, topic: &str) -> Option<usize> {
        self.topics.iter().find(|t| t.0 == topic).map(|t| t.1)
    }

    /// Highest generation any member reports (`DEFAULT_GENERATION` if none).
    pub fn max_generation(&self) -> i32 {
        self.data
            .iter()
            .filter_map(|d| d.generation)
            .fold(DEFAULT_GENERATION, i32::max)
    }
}

/// Ownership after resolving claims, and whether all subscriptions are equal.
struct Claims {
    pub all_equal: bool,
    /// member index → partitions it keeps claiming
    pub owned: Vec<Vec<TopicPartition>>,
    /// Partitions claimed by two members of the same generation: owned by nobody.
    pub multiply_claimed: HashSet<TopicPartition>,
}

/// Java's `allSubscriptionsEqual`, including its quirks: a member with an empty subscription
/// does not break equality if it comes first, and claims are compared with the *subscription's*
/// generation of the earlier claimant.
fn resolve_claims(ctx: &Context) -> Claims {
    let n = ctx.members.len();
    let mut owned: Vec<Vec<TopicPartition>> = vec![Vec::new(); n];
    let mut multiply_claimed = HashSet::new();
    let mut owner: HashMap<TopicPartition, usize> = HashMap::new();
    let mut subscribed: HashSet<&String> = HashSet::new();
    let mut all_equal = true;
    for &c in &ctx.order {
        let m = &ctx.members[c];
        if subscribed.is_empty() {
            subscribed.extend(m.topics.iter());
        } else if all_equal
            && !(m.topics.len() == subscribed.len()
                && m.topics.iter().all(|t| subscribed.contains(t)))
        {
            all_equal = false;
        }
        let generation = ctx.data[c].generation.unwrap_or(DEFAULT_GENERATION);
        for tp in &ctx.data[c].partitions {
            if ctx.partition_count(&tp.topic).is_none() {
                continue;
            }
            let Some(&other) = owner.get(tp) else {
                owned[c].push(tp.clone());
                owner.insert(tp.clone(), c);
                continue;
            };
            let other_generation = member_data::subscription_generation(&ctx.members[other])
                .unwrap_or(DEFAULT_GENERATION);
            if generation == other_generation {
                multiply_claimed.insert(tp.clone());
                remove_first(&mut owned[other], tp);
                owner.insert(tp.clone(), c);
            } else if generation > other_generation {
                owned[c].push(tp.clone());
                remove_first(&mut owned[other], tp);
                owner.insert(tp.clone(), c);
            }
        }
    }
    Claims {
        all_equal,
        owned,
        multiply_claimed,
    }
}

fn remove_first(list: &mut Vec<TopicPartition>, tp: &TopicPartition) {
    if let Some(i) = list.iter().position(|p| p == tp) {
        list.remove(i);
    }
}

/// `computePartitionsTransferringOwnership`: partitions given to a member that did not list
/// them as owned, and that a member which did list them loses.
fn transferring_ownership(
    ctx: &Context,
    lists: &[Vec<TopicPartition>],
) -> HashMap<TopicPartition, usize> {
    let mut added: HashMap<TopicPartition, usize> = HashMap::new();
    let mut revoked: HashSet<&TopicPartition> = HashSet::new();
    for &c in &ctx.order {
        let owned = &ctx.members[c].owned_partitions;
        let assigned = &lists[c];
        for tp in assigned {
            if !owned.contains(tp) {
                added.insert(tp.clone(), c);
            }
        }
        for tp in owned {
            if !assigned.contains(tp) {
                revoked.insert(tp);
            }
        }
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    #[test]
    fn fresh_group_is_balanced() {
        let members = vec![
            MemberSubscription::new("a", &["t"]),
            MemberSubscription::new("b", &["t"]),
        ];
        let ppt = BTreeMap::from([("t".to_string(), 5)]);
        let a = StickyAssignor::cooperative().assign(&ppt, &members);
        assert_eq!(a["a"], vec![tp(0), tp(2), tp(4)]);
        assert_eq!(a["b"], vec![tp(1), tp(3)]);
    }

    #[test]
    fn cooperative_withholds_moving_partitions() {
        let mut a = MemberSubscription::new("a", &["t"]);
        a.owned_partitions = (0..4).map(tp).collect();
        a.generation = Some(3);
        let mut b = MemberSubscription::new("b", &["t"]);
        b.generation = Some(3);
        let ppt = BTreeMap::from([("t".to_string(), 4)]);
        let coop = StickyAssignor::cooperative().assign(&ppt, &[a.clone(), b.clone()]);
        assert_eq!(
            coop["a"],
            vec![tp(0), tp(1)],
            "a keeps its first min-quota partitions"
        );
        assert!(coop["b"].is_empty(), "b waits for a to revoke t-2 and t-3");
        let eager = StickyAssignor::eager().assign(&ppt, &[a, b]);
        assert_eq!(
            eager["b"],
            vec![tp(1), tp(3)],
            "eager sticky reads only its user data"
        );
    }

    #[test]
    fn newer_generation_wins_a_doubly_claimed_partition() {
        let mut old = MemberSubscription::new("a", &["t"]);
        old.owned_partitions = vec![tp(0), tp(1)];
        old.generation = Some(2);
        let mut new = MemberSubscription::new("b", &["t"]);
        new.owned_partitions = vec![tp(1)];
        new.generation = Some(3);
        let ppt = BTreeMap::from([("t".to_string(), 2)]);
        let a = StickyAssignor::cooperative().assign(&ppt, &[old, new]);
        assert_eq!(a["a"], vec![tp(0)]);
        assert_eq!(a["b"], vec![tp(1)]);
    }
}

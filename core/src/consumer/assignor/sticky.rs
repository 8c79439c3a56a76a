//! Java's sticky assignors (`cooperative-sticky`, and eager `sticky`).
//!
//! When every member has the same subscription this follows Java's `constrainedAssign` step by
//! step (including the `HashMap` iteration order Java's result depends on): keep owned
//! partitions up to the max quota, fill members below the min quota in member-id order, steal
//! from members at max capacity, then hand leftovers one each to members at min capacity. The
//! cooperative variant then withholds partitions that change owner, so they are revoked first
//! (KIP-429). With differing subscriptions a simpler balanced-sticky pass is used (owned
//! partitions kept, the rest to the least loaded eligible member), which is balanced and sticky
//! but not guaranteed identical to Java's `generalAssign`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use bytes::Bytes;

use super::{
    java_hashmap_order, java_member_cmp, java_str_cmp, Assignment, Assignor, MemberSubscription,
    RebalanceProtocol,
};
use crate::types::TopicPartition;

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
}

/// Owned partitions and generation of a member (from subscription v2+, or the cooperative
/// assignor's 4-byte user data).
fn member_generation(m: &MemberSubscription) -> Option<i32> {
    m.generation.filter(|g| *g >= 0).or_else(|| {
        let d = m.user_data.as_ref()?;
        let b: [u8; 4] = d.get(..4)?.try_into().ok()?;
        Some(i32::from_be_bytes(b))
    })
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
        let all_topics: BTreeSet<&String> = partitions_per_topic.keys().collect();
        let owned = valid_owned(members, &all_topics);
        let equal = members.windows(2).all(|w| {
            let a: BTreeSet<&String> = w[0].topics.iter().collect();
            let b: BTreeSet<&String> = w[1].topics.iter().collect();
            a == b
        });
        let (mut assignment, transferring) = if equal {
            constrained(partitions_per_topic, members, &owned)
        } else {
            let a = general(partitions_per_topic, members, &owned);
            let t = moved(&a, &owned);
            (a, t)
        };
        if self.protocol == RebalanceProtocol::Cooperative {
            for (tp, member) in transferring {
                if let Some(list) = assignment.get_mut(&member) {
                    list.retain(|p| *p != tp);
                }
            }
        }
        assignment
    }
}

/// Owned partitions that count: only members of the highest generation seen (or, when no
/// member reports a generation, everyone), restricted to existing topics.
fn valid_owned(
    members: &[MemberSubscription],
    topics: &BTreeSet<&String>,
) -> HashMap<String, Vec<TopicPartition>> {
    let max_gen = members.iter().filter_map(member_generation).max();
    members
        .iter()
        .map(|m| {
            let valid = match (member_generation(m), max_gen) {
                (Some(g), Some(max)) => g == max,
                (None, None) => true,
                _ => false,
            };
            let parts = if valid {
                m.owned_partitions
                    .iter()
                    .filter(|tp| topics.contains(&tp.topic.to_string()))
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            (m.member_id.clone(), parts)
        })
        .collect()
}

fn all_partitions(ppt: &BTreeMap<String, i32>) -> BTreeSet<TopicPartition> {
    ppt.iter()
        .flat_map(|(t, &n)| (0..n).map(move |p| TopicPartition::new(t.as_str(), p)))
        .collect()
}

type WithTransfers = (Assignment, Vec<(TopicPartition, String)>);

fn constrained(
    ppt: &BTreeMap<String, i32>,
    members: &[MemberSubscription],
    owned: &HashMap<String, Vec<TopicPartition>>,
) -> WithTransfers {
    let mut unassigned = all_partitions(ppt);
    let n = members.len().max(1);
    let min_quota = unassigned.len() / n;
    let max_quota = unassigned.len().div_ceil(n);
    let mut assignment: Assignment = members
        .iter()
        .map(|m| (m.member_id.clone(), Vec::new()))
        .collect();
    let mut revoked: HashSet<TopicPartition> = HashSet::new();
    let mut transferring: Vec<(TopicPartition, String)> = Vec::new();
    let mut unfilled: Vec<String> = Vec::new();
    let mut max_cap: VecDeque<String> = VecDeque::new();
    let mut min_cap: VecDeque<String> = VecDeque::new();

    let ids: Vec<String> = members.iter().map(|m| m.member_id.clone()).collect();
    for i in java_hashmap_order(&ids) {
        let id = &ids[i];
        let own = owned.get(id).cloned().unwrap_or_default();
        let list = assignment.entry(id.clone()).or_default();
        for (k, tp) in own.iter().enumerate() {
            if k < max_quota {
                list.push(tp.clone());
                unassigned.remove(tp);
            } else {
                revoked.insert(tp.clone());
            }
        }
        if own.len() < min_quota {
            unfilled.push(id.clone());
        } else {
            if list.len() == min_quota {
                min_cap.push_back(id.clone());
            }
            if list.len() == max_quota {
                max_cap.push_back(id.clone());
            }
        }
    }
    unfilled.sort_by(|a, b| java_str_cmp(a, b));

    // Fill members below min quota, one partition each per round, in member-id order.
    let mut pending: VecDeque<TopicPartition> = unassigned.into_iter().collect();
    while !unfilled.is_empty() && !pending.is_empty() {
        let mut k = 0;
        while k < unfilled.len() {
            let Some(tp) = pending.pop_front() else { break };
            let id = unfilled[k].clone();
            let list = assignment.entry(id.clone()).or_default();
            list.push(tp.clone());
            if revoked.contains(&tp) {
                transferring.push((tp, id.clone()));
            }
            if list.len() == min_quota {
                min_cap.push_back(id);
                unfilled.remove(k);
            } else {
                k += 1;
            }
        }
    }
    // Ran out of partitions: steal from members at max capacity.
    for id in std::mem::take(&mut unfilled) {
        let mut remaining = min_quota.saturating_sub(assignment.get(&id).map_or(0, Vec::len));
        while remaining > 0 {
            let Some(over) = max_cap.pop_front() else {
                break;
            };
            let stolen = assignment
                .get_mut(&over)
                .filter(|l| !l.is_empty())
                .map(|l| l.remove(0));
            if let Some(tp) = stolen {
                assignment.entry(id.clone()).or_default().push(tp.clone());
                transferring.push((tp, id.clone()));
                remaining -= 1;
            }
        }
        min_cap.push_back(id);
    }
    // Leftovers: one each to members at min capacity.
    for tp in pending {
        let Some(id) = min_cap.pop_front() else { break };
        assignment.entry(id.clone()).or_default().push(tp.clone());
        if revoked.contains(&tp) {
            transferring.push((tp, id));
        }
    }
    (assignment, transferring)
}

fn general(
    ppt: &BTreeMap<String, i32>,
    members: &[MemberSubscription],
    owned: &HashMap<String, Vec<TopicPartition>>,
) -> Assignment {
    let mut sorted: Vec<&MemberSubscription> = members.iter().collect();
    sorted.sort_by(|a, b| java_member_cmp(a, b));
    let mut assignment: Assignment = members
        .iter()
        .map(|m| (m.member_id.clone(), Vec::new()))
        .collect();
    let mut taken: HashSet<TopicPartition> = HashSet::new();
    for m in &sorted {
        for tp in owned.get(&m.member_id).into_iter().flatten() {
            if m.topics.iter().any(|t| **t == *tp.topic) && taken.insert(tp.clone()) {
                assignment
                    .entry(m.member_id.clone())
                    .or_default()
                    .push(tp.clone());
            }
        }
    }
    for tp in all_partitions(ppt) {
        if taken.contains(&tp) {
            continue;
        }
        let best = sorted
            .iter()
            .filter(|m| m.topics.iter().any(|t| **t == *tp.topic))
            .min_by_key(|m| assignment.get(&m.member_id).map_or(0, Vec::len));
        if let Some(m) = best {
            assignment.entry(m.member_id.clone()).or_default().push(tp);
        }
    }
    // Balance: move a partition from a member with two or more than an eligible one.
    loop {
        let mut moved_one = false;
        for from in &sorted {
            let from_len = assignment.get(&from.member_id).map_or(0, Vec::len);
            let candidate = assignment
                .get(&from.member_id)
                .into_iter()
                .flatten()
                .find_map(|tp| {
                    sorted
                        .iter()
                        .filter(|to| to.topics.iter().any(|t| **t == *tp.topic))
                        .find(|to| assignment.get(&to.member_id).map_or(0, Vec::len) + 1 < from_len)
                        .map(|to| (tp.clone(), to.member_id.clone()))
                });
            if let Some((tp, to)) = candidate {
                if let Some(l) = assignment.get_mut(&from.member_id) {
                    l.retain(|p| *p != tp);
                }
                assignment.entry(to).or_default().push(tp);
                moved_one = true;
            }
        }
        if !moved_one {
            return assignment;
        }
    }
}

/// Partitions assigned to a member other than the one that owned them.
fn moved(
    assignment: &Assignment,
    owned: &HashMap<String, Vec<TopicPartition>>,
) -> Vec<(TopicPartition, String)> {
    let prev: HashMap<&TopicPartition, &String> = owned
        .iter()
        .flat_map(|(m, ps)| ps.iter().map(move |p| (p, m)))
        .collect();
    assignment
        .iter()
        .flat_map(|(m, ps)| ps.iter().map(move |p| (p, m)))
        .filter(|(p, m)| prev.get(p).is_some_and(|o| *o != *m))
        .map(|(p, m)| (p.clone(), m.clone()))
        .collect()
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
        assert_eq!(a["a"].len() + a["b"].len(), 5);
        assert!(a["a"].len().abs_diff(a["b"].len()) <= 1);
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
            "a keeps its first max-quota partitions"
        );
        assert!(coop["b"].is_empty(), "b waits for a to revoke t-2 and t-3");
        let eager = StickyAssignor::eager().assign(&ppt, &[a, b]);
        assert_eq!(eager["b"], vec![tp(2), tp(3)]);
    }
}

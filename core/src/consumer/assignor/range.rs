//! Java's `RangeAssignor`: per topic, contiguous ranges to the subscribed members in
//! [`java_member_cmp`](super::java_member_cmp) order, the first `n % members` getting one extra.
//!
//! Rack-aware placement (Java applies it only when both members and partitions carry racks) is
//! not implemented: this client does not send racks in its subscription.

use std::collections::BTreeMap;

use super::{
    empty_assignment, java_member_cmp, Assignment, Assignor, MemberSubscription, RebalanceProtocol,
};
use crate::types::TopicPartition;

/// The `range` assignor.
pub struct RangeAssignor;

impl Assignor for RangeAssignor {
    fn name(&self) -> &'static str {
        "range"
    }

    fn rebalance_protocol(&self) -> RebalanceProtocol {
        RebalanceProtocol::Eager
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        members: &[MemberSubscription],
    ) -> Assignment {
        let mut out = empty_assignment(members);
        for (topic, &count) in partitions_per_topic {
            let mut subs: Vec<&MemberSubscription> = members
                .iter()
                .filter(|m| m.topics.contains(topic))
                .collect();
            if subs.is_empty() || count <= 0 {
                continue;
            }
            subs.sort_by(|a, b| java_member_cmp(a, b));
            let n = subs.len() as i32;
            let per = count / n;
            let extra = count % n;
            for (i, m) in subs.iter().enumerate() {
                let i = i as i32;
                let start = per * i + i.min(extra);
                let len = per + i32::from(i < extra);
                let list = out.entry(m.member_id.clone()).or_default();
                list.extend((start..start + len).map(|p| TopicPartition::new(topic.as_str(), p)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_partitions_two_members() {
        let members = vec![
            MemberSubscription::new("m2", &["t"]),
            MemberSubscription::new("m1", &["t"]),
        ];
        let ppt = BTreeMap::from([("t".to_string(), 3)]);
        let a = RangeAssignor.assign(&ppt, &members);
        assert_eq!(
            a["m1"],
            vec![TopicPartition::new("t", 0), TopicPartition::new("t", 1)]
        );
        assert_eq!(a["m2"], vec![TopicPartition::new("t", 2)]);
    }
}

//! Java's `RoundRobinAssignor`: every subscribed partition, sorted by topic then partition,
//! dealt in turn to the members (in Java's member order), skipping members not subscribed to
//! the partition's topic.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;

use super::{
    empty_assignment, java_member_cmp, Assignment, Assignor, MemberSubscription, RebalanceProtocol,
};
use crate::types::TopicPartition;

/// Java's round robin under a protocol name: Java's `roundrobin`, or kafkajs's
/// `RoundRobinAssigner` so ferrokafka and kafkajs consumers can share a group (a service moving
/// from one to the other, say). kafkajs's leader deals the partitions of its topics to the
/// members sorted by member id, assuming every member has the same subscription; Java's deal is
/// an assignment of the same kind for the same subscriptions and also honours differing ones.
pub struct RoundRobinAssignor {
    name: &'static str,
}

impl RoundRobinAssignor {
    /// Java's `roundrobin`.
    pub const JAVA: RoundRobinAssignor = RoundRobinAssignor { name: "roundrobin" };
    /// kafkajs's `RoundRobinAssigner`.
    pub const KAFKAJS: RoundRobinAssignor = RoundRobinAssignor {
        name: "RoundRobinAssigner",
    };
}

impl RoundRobinAssignor {
    fn is_kafkajs(&self) -> bool {
        self.name == Self::KAFKAJS.name
    }
}

impl Assignor for RoundRobinAssignor {
    fn name(&self) -> &'static str {
        self.name
    }
    fn protocol_version(&self) -> i16 {
        if self.is_kafkajs() {
            0
        } else {
            crate::requests::consumer_protocol::VERSION
        }
    }
    // kafkajs writes empty (not null) user data.
    fn subscription_user_data(&self, _generation: i32) -> Option<Bytes> {
        self.is_kafkajs().then(Bytes::new)
    }
    fn assignment_user_data(&self) -> Option<Bytes> {
        self.is_kafkajs().then(Bytes::new)
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
        let mut sorted: Vec<&MemberSubscription> = members.iter().collect();
        sorted.sort_by(|a, b| java_member_cmp(a, b));
        if sorted.is_empty() {
            return out;
        }
        let topics: BTreeSet<&String> = members.iter().flat_map(|m| m.topics.iter()).collect();
        let mut cursor = 0usize;
        for topic in topics {
            let Some(&count) = partitions_per_topic.get(topic) else {
                continue;
            };
            for p in 0..count {
                // Advance to the next member subscribed to this topic (one exists: the topic
                // came from some member's subscription).
                let mut tries = 0;
                while !sorted[cursor % sorted.len()].topics.contains(topic) && tries < sorted.len()
                {
                    cursor += 1;
                    tries += 1;
                }
                let m = sorted[cursor % sorted.len()];
                cursor += 1;
                out.entry(m.member_id.clone())
                    .or_default()
                    .push(TopicPartition::new(topic.as_str(), p));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deals_in_turn_and_skips_unsubscribed() {
        let members = vec![
            MemberSubscription::new("a", &["t1", "t2"]),
            MemberSubscription::new("b", &["t2"]),
        ];
        let ppt = BTreeMap::from([("t1".to_string(), 2), ("t2".to_string(), 3)]);
        let a = RoundRobinAssignor::JAVA.assign(&ppt, &members);
        let tp = |t: &str, p| TopicPartition::new(t, p);
        assert_eq!(a["a"], vec![tp("t1", 0), tp("t1", 1), tp("t2", 1)]);
        assert_eq!(a["b"], vec![tp("t2", 0), tp("t2", 2)]);
    }

    #[test]
    fn kafkajs_round_robin_deals_like_kafkajs_for_one_subscription() {
        // kafkajs: members sorted by id, every partition of the topics dealt in turn.
        let members = vec![
            MemberSubscription::new("m-2", &["t"]),
            MemberSubscription::new("m-1", &["t"]),
        ];
        let ppt = BTreeMap::from([("t".to_string(), 5)]);
        let a = RoundRobinAssignor::KAFKAJS.assign(&ppt, &members);
        let tp = |p| TopicPartition::new("t", p);
        assert_eq!(a["m-1"], vec![tp(0), tp(2), tp(4)]);
        assert_eq!(a["m-2"], vec![tp(1), tp(3)]);
        for name in ["roundrobin", "RoundRobinAssigner"] {
            assert_eq!(super::super::by_name(name).map(|a| a.name()), Some(name));
        }
    }

    #[test]
    fn kafkajs_protocol_is_written_as_kafkajs_writes_it() {
        use crate::requests::consumer_protocol::{
            encode_assignment, encode_subscription, Subscription,
        };
        let a = RoundRobinAssignor::KAFKAJS;
        let sub = Subscription {
            topics: vec!["t".into()],
            user_data: a.subscription_user_data(-1),
            generation: -1,
            ..Subscription::default()
        };
        // Version 0, topics ["t"], empty (not null) user data: kafkajs's MemberMetadata.encode.
        let bytes = encode_subscription(&sub, a.protocol_version()).unwrap();
        assert_eq!(&bytes[..], &[0, 0, 0, 0, 0, 1, 0, 1, b't', 0, 0, 0, 0]);
        let parts = [TopicPartition::new("t", 0), TopicPartition::new("t", 2)];
        let bytes =
            encode_assignment(&parts, a.assignment_user_data(), a.protocol_version()).unwrap();
        #[rustfmt::skip]
        let expected = [0, 0, 0, 0, 0, 1, 0, 1, b't', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0];
        assert_eq!(&bytes[..], &expected);
        // Java's roundrobin keeps Java's newest version and null user data.
        assert_eq!(RoundRobinAssignor::JAVA.protocol_version(), 3);
        assert_eq!(RoundRobinAssignor::JAVA.assignment_user_data(), None);
    }
}

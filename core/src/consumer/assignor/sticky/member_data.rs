//! What a member claims to have owned before this rebalance, as Java's sticky assignors read it.
//!
//! `cooperative-sticky` takes owned partitions from the subscription and the generation from the
//! subscription (v2+) or from its 4-byte user data; eager `sticky` takes both from its own user
//! data (`previous_assignment` array plus generation, or the older layout without generation).
//! Malformed user data is tolerated exactly as Java tolerates it; this never panics on bytes.

use crate::types::TopicPartition;

use super::super::MemberSubscription;

/// A member's previous partitions and the generation they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MemberData {
    pub partitions: Vec<TopicPartition>,
    pub generation: Option<i32>,
}

/// Java's `DEFAULT_GENERATION`.
pub(super) const DEFAULT_GENERATION: i32 = -1;

/// The subscription's own generation field (absent when negative), as `Subscription.generationId`.
pub(super) fn subscription_generation(m: &MemberSubscription) -> Option<i32> {
    m.generation.filter(|g| *g >= 0)
}

/// `CooperativeStickyAssignor.memberData`.
pub(super) fn cooperative(m: &MemberSubscription) -> MemberData {
    let generation = match subscription_generation(m) {
        Some(g) => Some(g),
        None => m.user_data.as_ref().map(|d| {
            d.get(..4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(DEFAULT_GENERATION, i32::from_be_bytes)
        }),
    };
    MemberData {
        partitions: m.owned_partitions.clone(),
        generation,
    }
}

/// `StickyAssignor.memberData`: previous assignment and generation from the user data.
pub(super) fn eager(m: &MemberSubscription) -> MemberData {
    let data = match &m.user_data {
        Some(d) if !d.is_empty() => d,
        _ => {
            return MemberData {
                partitions: Vec::new(),
                generation: None,
            }
        }
    };
    if let Some((partitions, rest)) = read_previous_assignment(data) {
        if let Some(g) = rest.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok()) {
            return MemberData {
                partitions,
                generation: Some(i32::from_be_bytes(g)),
            };
        }
        // Version 0: no generation.
        return MemberData {
            partitions,
            generation: None,
        };
    }
    MemberData {
        partitions: Vec::new(),
        generation: Some(DEFAULT_GENERATION),
    }
}

/// `[topic: string, partitions: [int32]]` as Kafka's schema types read it; the rest of the bytes.
fn read_previous_assignment(mut b: &[u8]) -> Option<(Vec<TopicPartition>, &[u8])> {
    let topics = take_i32(&mut b)?;
    if topics < 0 || topics as usize > b.len() {
        return None;
    }
    let mut out = Vec::new();
    for _ in 0..topics {
        let len = i16::from_be_bytes(take::<2>(&mut b)?);
        if len < 0 || len as usize > b.len() {
            return None;
        }
        let (name, rest) = b.split_at(len as usize);
        b = rest;
        let topic: std::sync::Arc<str> = String::from_utf8_lossy(name).into();
        let n = take_i32(&mut b)?;
        if n < 0 || n as usize > b.len() {
            return None;
        }
        for _ in 0..n {
            out.push(TopicPartition::new(topic.clone(), take_i32(&mut b)?));
        }
    }
    Some((out, b))
}

fn take<const N: usize>(b: &mut &[u8]) -> Option<[u8; N]> {
    let head: [u8; N] = b.get(..N)?.try_into().ok()?;
    *b = &b[N..];
    Some(head)
}

fn take_i32(b: &mut &[u8]) -> Option<i32> {
    take::<4>(b).map(i32::from_be_bytes)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn member(user_data: &[u8]) -> MemberSubscription {
        let mut m = MemberSubscription::new("m", &["t"]);
        m.user_data = Some(Bytes::copy_from_slice(user_data));
        m
    }

    #[test]
    fn cooperative_generation_from_field_then_user_data() {
        let mut m = member(&7i32.to_be_bytes());
        assert_eq!(cooperative(&m).generation, Some(7));
        m.generation = Some(9);
        assert_eq!(cooperative(&m).generation, Some(9));
        assert_eq!(cooperative(&member(&[1, 2])).generation, Some(-1));
        m.user_data = None;
        m.generation = None;
        assert_eq!(cooperative(&m).generation, None);
    }

    #[test]
    fn eager_reads_both_user_data_versions() {
        // one topic "ab" with partitions 3 and 1, then generation 4
        let mut v1 = vec![
            0, 0, 0, 1, 0, 2, b'a', b'b', 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1,
        ];
        let v0 = v1.clone();
        v1.extend_from_slice(&4i32.to_be_bytes());
        let d = eager(&member(&v1));
        assert_eq!(
            d.partitions,
            vec![TopicPartition::new("ab", 3), TopicPartition::new("ab", 1)]
        );
        assert_eq!(d.generation, Some(4));
        let d = eager(&member(&v0));
        assert_eq!(d.partitions.len(), 2);
        assert_eq!(d.generation, None);
        let bad = eager(&member(&[0, 0, 0, 9]));
        assert!(bad.partitions.is_empty());
        assert_eq!(bad.generation, Some(-1));
    }
}

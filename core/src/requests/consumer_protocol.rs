//! The embedded consumer protocol: subscription and assignment bytes exactly as Java's
//! `ConsumerProtocol` writes them (a big-endian `i16` version, then the
//! `ConsumerProtocolSubscription`/`ConsumerProtocolAssignment` message at that version).
//!
//! Owns encoding (version 3, as Java 3.x/4.x does, or the version an assignor asks for) and decoding of any version
//! (newer versions are read as the highest known one, Java's forward compatibility). Bytes
//! come from other group members: malformed input is an error, never a panic.

use std::collections::BTreeMap;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::consumer_protocol_assignment as pa;
use kafka_protocol::messages::consumer_protocol_subscription as ps;
use kafka_protocol::messages::{
    ConsumerProtocolAssignment, ConsumerProtocolSubscription, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

use crate::error::{Error, Result};
use crate::types::TopicPartition;

/// One member's subscription as the leader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSubscription {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub topics: Vec<String>,
    pub user_data: Option<Bytes>,
    /// Partitions the member owned before this rebalance (cooperative protocols).
    pub owned_partitions: Vec<TopicPartition>,
    /// The generation the owned partitions belong to (subscription v2+).
    pub generation: Option<i32>,
    pub rack: Option<String>,
}

impl MemberSubscription {
    /// A member with only a member id and topics.
    pub fn new(member_id: impl Into<String>, topics: &[&str]) -> MemberSubscription {
        MemberSubscription {
            member_id: member_id.into(),
            group_instance_id: None,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            user_data: None,
            owned_partitions: Vec::new(),
            generation: None,
            rack: None,
        }
    }
}

/// The protocol type of consumer groups in JoinGroup.
pub const PROTOCOL_TYPE: &str = "consumer";
/// The version this client writes.
pub const VERSION: i16 = 3;

/// What this member sends in JoinGroup.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subscription {
    pub topics: Vec<String>,
    pub user_data: Option<Bytes>,
    pub owned_partitions: Vec<TopicPartition>,
    /// `-1` when not known.
    pub generation: i32,
    pub rack: Option<String>,
}

fn group_by_topic(parts: &[TopicPartition]) -> Vec<(String, Vec<i32>)> {
    // Keeps first-appearance order of topics, like Java's grouping of an ordered list.
    let mut order: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for tp in parts {
        let t = tp.topic.to_string();
        if !by.contains_key(&t) {
            order.push(t.clone());
        }
        by.entry(t).or_default().push(tp.partition);
    }
    order
        .into_iter()
        .map(|t| {
            let p = by.remove(&t).unwrap_or_default();
            (t, p)
        })
        .collect()
}

fn name(s: &str) -> TopicName {
    TopicName(StrBytes::from_string(s.to_string()))
}

/// Subscription bytes for JoinGroup's protocol metadata, at `version` (0 to [`VERSION`]).
pub fn encode_subscription(sub: &Subscription, version: i16) -> Result<Bytes> {
    let msg = ConsumerProtocolSubscription::default()
        .with_topics(
            sub.topics
                .iter()
                .map(|t| StrBytes::from_string(t.clone()))
                .collect(),
        )
        .with_user_data(sub.user_data.clone())
        .with_owned_partitions(
            group_by_topic(&sub.owned_partitions)
                .into_iter()
                .map(|(t, p)| {
                    ps::TopicPartition::default()
                        .with_topic(name(&t))
                        .with_partitions(p)
                })
                .collect(),
        )
        .with_generation_id(sub.generation)
        .with_rack_id(sub.rack.clone().map(StrBytes::from_string));
    let mut buf = BytesMut::new();
    buf.put_i16(version);
    msg.encode(&mut buf, version)
        .map_err(|e| Error::internal(format!("encoding subscription: {e}")))?;
    Ok(buf.freeze())
}

/// Reads the leading version (an `i16`); versions above [`VERSION`] read as [`VERSION`].
pub(crate) fn read_version(buf: &mut Bytes, what: &str) -> Result<i16> {
    if buf.remaining() < 2 {
        return Err(Error::protocol(format!(
            "{what} is shorter than its version field"
        )));
    }
    let v = buf.get_i16();
    if v < 0 {
        return Err(Error::protocol(format!("{what} has negative version {v}")));
    }
    Ok(v.min(VERSION))
}

/// Decodes a member's subscription (from a JoinGroup response) for the leader.
pub fn decode_subscription(
    member_id: &str,
    instance: Option<String>,
    mut bytes: Bytes,
) -> Result<MemberSubscription> {
    let v = read_version(&mut bytes, "subscription")?;
    let msg = ConsumerProtocolSubscription::decode(&mut bytes, v).map_err(|e| {
        Error::protocol(format!("malformed subscription of member {member_id}: {e}"))
    })?;
    Ok(MemberSubscription {
        member_id: member_id.to_string(),
        group_instance_id: instance,
        topics: msg.topics.iter().map(|t| t.to_string()).collect(),
        user_data: msg.user_data,
        owned_partitions: msg
            .owned_partitions
            .iter()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(move |&p| TopicPartition::new(t.topic.0.as_str(), p))
            })
            .collect(),
        generation: (v >= 2 && msg.generation_id >= 0).then_some(msg.generation_id),
        rack: msg.rack_id.map(|r| r.to_string()),
    })
}

/// Assignment bytes for SyncGroup, at `version` (0 to [`VERSION`]).
pub fn encode_assignment(
    parts: &[TopicPartition],
    user_data: Option<Bytes>,
    version: i16,
) -> Result<Bytes> {
    let msg = ConsumerProtocolAssignment::default()
        .with_assigned_partitions(
            group_by_topic(parts)
                .into_iter()
                .map(|(t, p)| {
                    pa::TopicPartition::default()
                        .with_topic(name(&t))
                        .with_partitions(p)
                })
                .collect(),
        )
        .with_user_data(user_data);
    let mut buf = BytesMut::new();
    buf.put_i16(version);
    msg.encode(&mut buf, version)
        .map_err(|e| Error::internal(format!("encoding assignment: {e}")))?;
    Ok(buf.freeze())
}

/// Decodes this member's assignment from SyncGroup (empty bytes = nothing assigned).
pub fn decode_assignment(mut bytes: Bytes) -> Result<Vec<TopicPartition>> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let v = read_version(&mut bytes, "assignment")?;
    let msg = ConsumerProtocolAssignment::decode(&mut bytes, v)
        .map_err(|e| Error::protocol(format!("malformed assignment from the group leader: {e}")))?;
    Ok(msg
        .assigned_partitions
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(move |&p| TopicPartition::new(t.topic.0.as_str(), p))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_round_trips_and_starts_with_version_3() {
        let sub = Subscription {
            topics: vec!["a".into(), "b".into()],
            user_data: Some(Bytes::from_static(&[0, 0, 0, 7])),
            owned_partitions: vec![TopicPartition::new("a", 1), TopicPartition::new("a", 0)],
            generation: 7,
            rack: None,
        };
        let bytes = encode_subscription(&sub, VERSION).unwrap();
        assert_eq!(&bytes[..2], &[0, 3]);
        let m = decode_subscription("m", None, bytes).unwrap();
        assert_eq!(m.topics, sub.topics);
        assert_eq!(m.owned_partitions, sub.owned_partitions);
        assert_eq!(m.generation, Some(7));
    }

    #[test]
    fn version_0_subscription_bytes_decode() {
        // i16 version 0, topics [ "t" ], user data null: what old Java clients send.
        let raw = Bytes::from_static(&[0, 0, 0, 0, 0, 1, 0, 1, b't', 0xff, 0xff, 0xff, 0xff]);
        let m = decode_subscription("m", None, raw).unwrap();
        assert_eq!(m.topics, vec!["t"]);
        assert_eq!(m.generation, None);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_subscription("m", None, Bytes::from_static(&[0])).is_err());
        assert!(decode_assignment(Bytes::from_static(&[0, 3, 0xff, 0xff, 0xff])).is_err());
        assert_eq!(decode_assignment(Bytes::new()).unwrap(), vec![]);
    }
}

//! Decoding a described group member's consumer-protocol bytes for admin tools, field by
//! field and at the version they were written (`kafka-consumer-groups`, kafka-python's
//! `describe_groups` show the subscription's and assignment's own fields).
//!
//! Owns only the admin view: the version read from the bytes (newer ones read as the highest
//! known, as Java's `ConsumerProtocol` does), partitions kept grouped by topic as on the wire,
//! user data as sent (`None` when null). The consumer's own encoding and decoding stay in
//! `requests/consumer_protocol.rs`. Bytes come from other clients: malformed input is an
//! error, never a panic.

use bytes::Bytes;
use kafka_protocol::messages::{ConsumerProtocolAssignment, ConsumerProtocolSubscription};
use kafka_protocol::protocol::Decodable;

use crate::error::{Error, Result};
use crate::requests::consumer_protocol::read_version;

/// A member's subscription (`member_metadata`) as written, at `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSubscriptionData {
    /// The version the bytes were read at (the written one, at most 3).
    pub version: i16,
    pub topics: Vec<String>,
    pub user_data: Option<Bytes>,
    /// `(topic, partitions)` as on the wire (version 1+; empty before).
    pub owned_partitions: Vec<(String, Vec<i32>)>,
    /// Version 2+; `-1` before.
    pub generation_id: i32,
    /// Version 3+.
    pub rack_id: Option<String>,
}

/// A member's assignment (`member_assignment`) as written, at `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAssignmentData {
    pub version: i16,
    /// `(topic, partitions)` as on the wire.
    pub assigned_partitions: Vec<(String, Vec<i32>)>,
    pub user_data: Option<Bytes>,
}

/// Decodes a described member's `member_metadata` (a consumer group's subscription).
pub fn decode_member_subscription(bytes: &[u8]) -> Result<MemberSubscriptionData> {
    let mut buf = Bytes::copy_from_slice(bytes);
    let v = read_version(&mut buf, "member subscription")?;
    let msg = ConsumerProtocolSubscription::decode(&mut buf, v)
        .map_err(|e| Error::protocol(format!("malformed member subscription: {e}")))?;
    Ok(MemberSubscriptionData {
        version: v,
        topics: msg.topics.iter().map(|t| t.to_string()).collect(),
        user_data: msg.user_data,
        owned_partitions: msg
            .owned_partitions
            .iter()
            .map(|t| (t.topic.0.to_string(), t.partitions.clone()))
            .collect(),
        generation_id: msg.generation_id,
        rack_id: msg.rack_id.map(|r| r.to_string()),
    })
}

/// Decodes a described member's `member_assignment`.
pub fn decode_member_assignment(bytes: &[u8]) -> Result<MemberAssignmentData> {
    let mut buf = Bytes::copy_from_slice(bytes);
    let v = read_version(&mut buf, "member assignment")?;
    let msg = ConsumerProtocolAssignment::decode(&mut buf, v)
        .map_err(|e| Error::protocol(format!("malformed member assignment: {e}")))?;
    Ok(MemberAssignmentData {
        version: v,
        assigned_partitions: msg
            .assigned_partitions
            .iter()
            .map(|t| (t.topic.0.to_string(), t.partitions.clone()))
            .collect(),
        user_data: msg.user_data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_0_subscription_has_topics_and_user_data_only() {
        // v0: version, topics [1 x "t"], user_data (empty, not null).
        let bytes = [0, 0, 0, 0, 0, 1, 0, 1, b't', 0, 0, 0, 0];
        let s = decode_member_subscription(&bytes).unwrap();
        assert_eq!(s.version, 0);
        assert_eq!(s.topics, vec!["t".to_string()]);
        assert_eq!(s.user_data.as_deref(), Some(&b""[..]));
        assert!(s.owned_partitions.is_empty());
    }

    #[test]
    fn version_1_assignment_keeps_topics_grouped_and_user_data() {
        // v1: version, [("t", [0, 1])], user_data null.
        let bytes = [
            0, 1, 0, 0, 0, 1, 0, 1, b't', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 255, 255, 255, 255,
        ];
        let a = decode_member_assignment(&bytes).unwrap();
        assert_eq!(a.version, 1);
        assert_eq!(a.assigned_partitions, vec![("t".to_string(), vec![0, 1])]);
        assert_eq!(a.user_data, None);
    }

    #[test]
    fn malformed_bytes_are_errors() {
        assert!(decode_member_subscription(&[0]).is_err());
        assert!(decode_member_subscription(&[0, 0, 0, 0, 0, 9]).is_err());
        assert!(decode_member_assignment(&[255, 255]).is_err());
    }
}

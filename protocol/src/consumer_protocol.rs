//! The embedded consumer protocol (protocol type "consumer"): reading the topics out of a
//! member's subscription metadata, which a group coordinator treats as opaque bytes otherwise.

use kafka_protocol::messages::ConsumerProtocolSubscription;
use kafka_protocol::protocol::Decodable;

/// The topics of a consumer-protocol subscription (a version prefix, then the v0 layout every
/// later version extends); `None` when the bytes do not parse.
pub fn subscription_topics(metadata: &[u8]) -> Option<Vec<String>> {
    let mut buf = metadata;
    if buf.len() < 2 {
        return None;
    }
    let _ = bytes::Buf::get_i16(&mut buf);
    let sub = ConsumerProtocolSubscription::decode(&mut buf, 0).ok()?;
    Some(sub.topics.iter().map(|t| t.to_string()).collect())
}

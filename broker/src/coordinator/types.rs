//! The coordinator's plain-Rust API types: what each group call takes (already normalised
//! across protocol versions by its handler) and what it answers. Errors are Kafka
//! [`ErrorCode`]s; `None` means no error. No wire encoding here: the handlers in
//! `handler/` turn requests into these and these into versioned responses.

use bytes::Bytes;
use ferrokafka_protocol::ErrorCode;

/// Who sent a request; Kafka records it per member for DescribeGroups and member ids.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The request header's client id.
    pub client_id: String,
    /// The client's address as Kafka shows it (e.g. "/127.0.0.1").
    pub client_host: String,
}

/// A JoinGroup call.
#[derive(Debug, Clone, Default)]
pub struct JoinRequest {
    pub group_id: String,
    /// Empty for a member joining for the first time.
    pub member_id: String,
    /// group.instance.id of a static member (KIP-345).
    pub instance_id: Option<String>,
    pub session_timeout_ms: i32,
    /// The session timeout when the client sent none.
    pub rebalance_timeout_ms: i32,
    pub protocol_type: String,
    /// (protocol name, member metadata), in the member's order of preference.
    pub protocols: Vec<(String, Bytes)>,
    /// KIP-394 (JoinGroup v4+): a new dynamic member gets MEMBER_ID_REQUIRED and its id first.
    pub require_known_member_id: bool,
    /// JoinGroup v9+: a static leader rejoining a stable group is told to skip the assignment.
    pub leader_may_skip_assignment: bool,
    pub client: ClientInfo,
}

/// What a JoinGroup call is answered with.
#[derive(Debug, Clone, Default)]
pub struct JoinOutcome {
    pub error: Option<ErrorCode>,
    pub generation: i32,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    pub leader: String,
    pub skip_assignment: bool,
    pub member_id: String,
    /// Only for the leader: the members and their metadata for the selected protocol.
    pub members: Vec<JoinedMember>,
}

impl JoinOutcome {
    pub(crate) fn error(code: ErrorCode, member_id: &str) -> Self {
        JoinOutcome {
            error: Some(code),
            generation: -1,
            member_id: member_id.to_string(),
            ..Default::default()
        }
    }
}

/// A member as the leader sees it in its JoinGroup answer.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinedMember {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub metadata: Bytes,
}

/// A SyncGroup call.
#[derive(Debug, Clone, Default)]
pub struct SyncRequest {
    pub group_id: String,
    pub member_id: String,
    pub generation_id: i32,
    pub instance_id: Option<String>,
    /// The protocol type/name the member believes in (SyncGroup v5+), checked against the group's.
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    /// The leader's (member id, assignment) list; empty from followers.
    pub assignments: Vec<(String, Bytes)>,
}

/// What a SyncGroup call is answered with.
#[derive(Debug, Clone, Default)]
pub struct SyncOutcome {
    pub error: Option<ErrorCode>,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    pub assignment: Bytes,
}

impl SyncOutcome {
    pub(crate) fn error(code: ErrorCode) -> Self {
        SyncOutcome {
            error: Some(code),
            ..Default::default()
        }
    }
}

/// A Heartbeat call.
#[derive(Debug, Clone, Default)]
pub struct Heartbeat {
    pub group_id: String,
    pub member_id: String,
    pub generation_id: i32,
    pub instance_id: Option<String>,
}

/// One member leaving, by member id and/or group.instance.id.
#[derive(Debug, Clone, Default)]
pub struct LeavingMember {
    pub member_id: String,
    pub instance_id: Option<String>,
}

/// What a LeaveGroup call is answered with: a group-wide error, or one result per leaving
/// member in request order.
#[derive(Debug, Clone, Default)]
pub struct LeaveOutcome {
    pub error: Option<ErrorCode>,
    pub members: Vec<Option<ErrorCode>>,
}

/// An OffsetCommit call.
#[derive(Debug, Clone, Default)]
pub struct OffsetCommit {
    pub group_id: String,
    /// -1 for a commit from outside the group (simple consumer, admin).
    pub generation_id: i32,
    pub member_id: String,
    pub instance_id: Option<String>,
    /// OffsetCommit v9+: a member commit to an unknown group is GROUP_ID_NOT_FOUND rather than
    /// ILLEGAL_GENERATION.
    pub unknown_group_not_found: bool,
    pub topics: Vec<CommitTopic>,
}

/// The committed offsets of one topic.
#[derive(Debug, Clone, Default)]
pub struct CommitTopic {
    pub name: String,
    pub partitions: Vec<CommitPartition>,
}

/// One partition's committed offset.
#[derive(Debug, Clone, Default)]
pub struct CommitPartition {
    pub partition: i32,
    pub offset: i64,
    /// -1 when the request version has no leader epoch.
    pub leader_epoch: i32,
    pub metadata: Option<String>,
}

/// Per topic, per partition result of a commit or an offset deletion, in request order.
pub type PartitionResults = Vec<Vec<Option<ErrorCode>>>;

/// The committed offsets of one group, as OffsetFetch reports them.
#[derive(Debug, Clone, Default)]
pub struct GroupOffsets {
    pub error: Option<ErrorCode>,
    pub topics: Vec<TopicOffsets>,
}

/// The committed offsets of one topic.
#[derive(Debug, Clone, Default)]
pub struct TopicOffsets {
    pub name: String,
    pub partitions: Vec<PartitionOffset>,
}

/// One partition's committed offset; -1 offset and epoch and empty metadata when none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartitionOffset {
    pub partition: i32,
    pub offset: i64,
    pub leader_epoch: i32,
    pub metadata: String,
}

/// Which groups ListGroups reports; the names are lower case, an empty set means all.
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub states: std::collections::HashSet<String>,
    pub types: std::collections::HashSet<String>,
}

/// One group as ListGroups reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupListing {
    pub group_id: String,
    pub protocol_type: String,
    /// Kafka's state name ("Stable", "Empty", ...).
    pub state: &'static str,
    /// Always "classic": this coordinator runs classic groups only.
    pub group_type: &'static str,
}

/// One group as DescribeGroups reports it.
#[derive(Debug, Clone, Default)]
pub struct GroupDescription {
    /// Kafka's state name ("Stable", "Empty", ...).
    pub state: &'static str,
    pub protocol_type: String,
    /// The selected protocol; empty unless the group is Stable.
    pub protocol_data: String,
    pub members: Vec<MemberDescription>,
}

/// One member of a described group.
#[derive(Debug, Clone, Default)]
pub struct MemberDescription {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    /// Metadata and assignment are shown only while the group is Stable.
    pub metadata: Bytes,
    pub assignment: Bytes,
}

//! The one error type of the client core.
//!
//! Owns [`Error`] (cloneable: one failure is delivered to many waiting records), its stable
//! [`ErrorKind`], the Kafka error code when the broker sent one, and the retriable flag.
//! Bindings map `ErrorKind` onto their ecosystem's error classes; messages say what to do next.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;

/// A stable classification of every failure; bindings switch on this, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A configuration key or value is wrong.
    Config,
    /// A socket could not be opened, or it failed while reading or writing.
    Network,
    /// A request or an operation did not finish in time.
    Timeout,
    /// Bytes from the broker could not be understood (malformed frame or message).
    Protocol,
    /// The broker and the client share no version of a needed API.
    UnsupportedVersion,
    /// The client was closed.
    Closed,
    /// `buffer.memory` stayed full for `max.block.ms`.
    BufferExhausted,
    /// A record (or batch) is larger than `max.request.size` or the broker's limit.
    RecordTooLarge,
    /// The broker rejected the record (invalid record, timestamp, corrupt message).
    InvalidRecord,
    /// The topic or partition does not exist (yet).
    UnknownTopicOrPartition,
    /// The topic name is invalid.
    InvalidTopic,
    /// The topic already exists.
    TopicAlreadyExists,
    /// Leadership moved or is being elected; metadata must be refreshed.
    NotLeader,
    /// Not enough in-sync replicas for `acks=all`.
    NotEnoughReplicas,
    /// The broker saw an idempotent sequence gap.
    OutOfOrderSequence,
    /// The broker no longer knows this producer id.
    UnknownProducerId,
    /// The producer id/epoch was fenced by a newer one.
    ProducerFenced,
    /// Authorization failed (topic, group, cluster): the principal lacks an ACL.
    Authorization,
    /// Authentication failed: bad SASL credentials or mechanism, or the TLS handshake failed
    /// (e.g. the broker's certificate is not trusted).
    Authentication,
    /// The requested offset is not on the broker.
    OffsetOutOfRange,
    /// The group coordinator moved, loads, or is unavailable.
    Coordinator,
    /// The group is rebalancing or this member's generation/id is stale.
    Rebalance,
    /// Any other error code the broker returned.
    Broker,
    /// A bug or broken invariant inside the client.
    Internal,
}

/// A client error: kind, optional Kafka error code, retriable flag and a helpful message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    code: Option<i16>,
    retriable: bool,
    message: String,
    /// The error message the broker sent with the code, when it sent one.
    broker_message: Option<String>,
    #[source]
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl From<ferrokafka_protocol::ProtocolError> for Error {
    fn from(e: ferrokafka_protocol::ProtocolError) -> Error {
        use ferrokafka_protocol::ProtocolError as P;
        match &e {
            P::CorruptBatch(_) => Error::protocol(e.to_string()),
            P::TooLarge(_) => Error::new(ErrorKind::RecordTooLarge, e.to_string()),
            P::Compress { .. } => Error::internal(e.to_string()),
        }
    }
}

impl Error {
    /// The error for a frame that could not be read while `context`.
    pub(crate) fn frame(context: &str, e: ferrokafka_protocol::FrameError) -> Error {
        match e {
            ferrokafka_protocol::FrameError::Io(io) => Error::network(context, io),
            ferrokafka_protocol::FrameError::Size { size, .. } if looks_like_tls_record(size) => {
                Error::new(
                    ErrorKind::Config,
                    format!(
                        "{context}: the broker answered with TLS (a TLS record where a Kafka \
                         frame was expected): this listener uses SSL or SASL_SSL; set \
                         security.protocol to match it"
                    ),
                )
            }
            size @ ferrokafka_protocol::FrameError::Size { .. } => {
                Error::protocol(size.to_string())
            }
        }
    }
}

/// Whether a frame's length prefix is really the header of a TLS record: content type 21
/// (alert) or 22 (handshake), then protocol major version 3.
fn looks_like_tls_record(size: i64) -> bool {
    let b = (size as u32).to_be_bytes();
    matches!(b[0], 0x15 | 0x16) && b[1] == 0x03
}

/// `Result` with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a message; retriable follows the kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let retriable = matches!(
            kind,
            ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::NotLeader
                | ErrorKind::NotEnoughReplicas
                | ErrorKind::UnknownTopicOrPartition
                | ErrorKind::Coordinator
        );
        Error {
            kind,
            code: None,
            retriable,
            message: message.into(),
            broker_message: None,
            source: None,
        }
    }

    /// A configuration error.
    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    /// A network error wrapping an I/O error.
    pub fn network(context: impl Into<String>, source: std::io::Error) -> Error {
        let context = context.into();
        Error::new(
            ErrorKind::Network,
            format!("{context}: {source}; the client reconnects with backoff, check that the broker is reachable"),
        )
        .with_source(source)
    }

    /// A protocol (malformed bytes) error.
    pub fn protocol(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Protocol, message)
    }

    /// An internal invariant failure.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    /// The error for a non-zero Kafka error code, with `context` saying what was attempted.
    pub fn from_code(code: i16, context: impl std::fmt::Display) -> Error {
        let re = ResponseError::try_from_code(code).unwrap_or(ResponseError::Unknown(code));
        Error::from_response(re, context)
    }

    /// The error for a Kafka [`ResponseError`].
    pub fn from_response(re: ResponseError, context: impl std::fmt::Display) -> Error {
        let (kind, hint) = classify(re);
        Error {
            kind,
            code: Some(re.code()),
            retriable: re.is_retriable() || kind == ErrorKind::NotLeader,
            message: format!(
                "{context}: broker returned {re} (code {}): {hint}",
                re.code()
            ),
            broker_message: None,
            source: None,
        }
    }

    /// Keeps the error message the broker sent with the code (an `error_message` field), which
    /// tools print as Kafka's do.
    pub fn with_broker_message(mut self, message: Option<&str>) -> Error {
        self.broker_message = message.filter(|m| !m.is_empty()).map(String::from);
        self
    }

    /// Keeps the broker's message exactly as sent, an empty one included: Java's admin client
    /// hands a config resource's message to the exception as it came, `""` too.
    pub fn with_exact_broker_message(mut self, message: Option<&str>) -> Error {
        self.broker_message = message.map(String::from);
        self
    }

    /// The error message the broker sent, if any (empty only where kept exactly).
    pub fn broker_message(&self) -> Option<&str> {
        self.broker_message.as_deref()
    }

    /// Attaches an underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Arc::new(source));
        self
    }

    /// Sets the Kafka error code (for errors built with a kind of their own).
    pub fn with_code(mut self, code: Option<i16>) -> Error {
        self.code = code;
        self
    }

    /// Overrides the retriable flag.
    pub fn with_retriable(mut self, retriable: bool) -> Error {
        self.retriable = retriable;
        self
    }

    /// Prefixes the message with what the caller was doing.
    pub fn context(mut self, what: impl std::fmt::Display) -> Error {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// The stable kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The Kafka error code, when the broker sent one.
    pub fn code(&self) -> Option<i16> {
        self.code
    }

    /// The Kafka error as kafka-protocol names it, when there is a code.
    pub fn response_error(&self) -> Option<ResponseError> {
        self.code.and_then(ResponseError::try_from_code)
    }

    /// Whether retrying the same operation may succeed.
    pub fn is_retriable(&self) -> bool {
        self.retriable
    }

    /// Whether this error means cached metadata (leaders, partitions) is stale.
    pub fn invalidates_metadata(&self) -> bool {
        use ResponseError::*;
        match self.response_error() {
            Some(re) => matches!(
                re,
                NotLeaderOrFollower
                    | UnknownTopicOrPartition
                    | LeaderNotAvailable
                    | ReplicaNotAvailable
                    | FencedLeaderEpoch
                    | UnknownLeaderEpoch
                    | UnknownTopicId
                    | InconsistentTopicId
                    | KafkaStorageError
                    | BrokerNotAvailable
                    | ListenerNotFound
                    | NetworkException
            ),
            None => self.kind == ErrorKind::Network,
        }
    }
}

fn classify(re: ResponseError) -> (ErrorKind, &'static str) {
    use ErrorKind as K;
    use ResponseError::*;
    match re {
        UnknownTopicOrPartition | UnknownTopicId | InconsistentTopicId => (
            K::UnknownTopicOrPartition,
            "create the topic or check its name; the client refreshes metadata and retries",
        ),
        InvalidTopicException => (K::InvalidTopic, "use a valid topic name ([a-zA-Z0-9._-], at most 249 characters)"),
        TopicAlreadyExists => (K::TopicAlreadyExists, "the topic exists already"),
        NotLeaderOrFollower | LeaderNotAvailable | ReplicaNotAvailable | FencedLeaderEpoch
        | UnknownLeaderEpoch | PreferredLeaderNotAvailable | EligibleLeadersNotAvailable
        | KafkaStorageError | BrokerNotAvailable | ListenerNotFound => (
            K::NotLeader,
            "leadership changed; the client refreshes metadata and retries",
        ),
        NotEnoughReplicas | NotEnoughReplicasAfterAppend => (
            K::NotEnoughReplicas,
            "too few in-sync replicas for acks=all; retried until delivery.timeout.ms",
        ),
        MessageTooLarge | RecordListTooLarge => (
            K::RecordTooLarge,
            "the batch exceeds the broker's message.max.bytes; send smaller records or raise the topic's max.message.bytes",
        ),
        CorruptMessage | InvalidRecord | InvalidTimestamp | UnsupportedForMessageFormat
        | UnsupportedCompressionType => (
            K::InvalidRecord,
            "the broker rejected the record; check timestamps, compression and topic settings",
        ),
        RequestTimedOut | NetworkException => (K::Timeout, "the broker did not finish in time; retried"),
        UnsupportedVersion => (K::UnsupportedVersion, "upgrade the broker or the client"),
        OutOfOrderSequenceNumber => (
            K::OutOfOrderSequence,
            "the idempotent producer resets its sequence; records may need to be re-sent",
        ),
        UnknownProducerId => (K::UnknownProducerId, "the producer id expired on the broker; the producer bumps its epoch"),
        InvalidProducerEpoch | ProducerFenced | InvalidProducerIdMapping | TransactionCoordinatorFenced => (
            K::ProducerFenced,
            "another producer took over this producer id; create a new producer",
        ),
        TopicAuthorizationFailed | GroupAuthorizationFailed | ClusterAuthorizationFailed
        | TransactionalIdAuthorizationFailed | DelegationTokenAuthorizationFailed => (
            K::Authorization,
            "the principal lacks an ACL: grant it the needed operation (kafka-acls --add) or use another user",
        ),
        SaslAuthenticationFailed | IllegalSaslState | UnsupportedSaslMechanism => (
            K::Authentication,
            "check sasl.mechanism, sasl.username and sasl.password against the broker's users",
        ),
        OffsetOutOfRange => (K::OffsetOutOfRange, "seek to a valid offset or set auto.offset.reset"),
        CoordinatorLoadInProgress | CoordinatorNotAvailable | NotCoordinator => (
            K::Coordinator,
            "the group coordinator is moving; the client rediscovers it and retries",
        ),
        RebalanceInProgress | IllegalGeneration | UnknownMemberId | FencedInstanceId
        | MemberIdRequired | FencedMemberEpoch | StaleMemberEpoch => (
            K::Rebalance,
            "the group is rebalancing; the consumer rejoins",
        ),
        _ => (K::Broker, "see the broker logs for details"),
    }
}

impl From<kafka_protocol::error::ResponseError> for Error {
    fn from(re: ResponseError) -> Error {
        Error::from_response(re, "request failed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds_and_retriable() {
        let e = Error::from_code(6, "produce to t-0");
        assert_eq!(e.kind(), ErrorKind::NotLeader);
        assert_eq!(e.code(), Some(6));
        assert!(e.is_retriable());
        assert!(e.invalidates_metadata());
        assert!(e.to_string().contains("produce to t-0"));
        assert!(e.to_string().contains("refreshes metadata"));

        let e = Error::from_code(10, "produce");
        assert_eq!(e.kind(), ErrorKind::RecordTooLarge);
        assert!(!e.is_retriable());

        let e = Error::from_code(45, "produce");
        assert_eq!(e.kind(), ErrorKind::OutOfOrderSequence);
        let e = Error::from_code(59, "produce");
        assert_eq!(e.kind(), ErrorKind::UnknownProducerId);
        let e = Error::from_code(19, "produce");
        assert!(e.is_retriable());
        let e = Error::from_code(9999, "x");
        assert_eq!(e.kind(), ErrorKind::Broker);
        assert_eq!(e.code(), Some(9999));
        assert!(!e.is_retriable());
    }

    #[test]
    fn a_tls_record_where_a_frame_was_expected_says_to_set_security_protocol() {
        // A TLS alert (21) / handshake (22) record header read as a length prefix.
        for size in [0x1503_0300_i64, 0x1603_0100] {
            let e = Error::frame(
                "reading",
                ferrokafka_protocol::FrameError::Size { size, max: 1 << 20 },
            );
            assert_eq!(e.kind(), ErrorKind::Config, "{e}");
            assert!(e.to_string().contains("security.protocol"), "{e}");
            assert!(!e.is_retriable());
        }
        let other = Error::frame(
            "reading",
            ferrokafka_protocol::FrameError::Size {
                size: 0x7fff_ffff,
                max: 1 << 20,
            },
        );
        assert_eq!(other.kind(), ErrorKind::Protocol);
    }

    #[test]
    fn network_errors_are_retriable_and_keep_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        let e = Error::network("read from broker 1", io);
        assert!(e.is_retriable());
        assert!(e.invalidates_metadata());
        assert!(std::error::Error::source(&e).is_some());
    }
}

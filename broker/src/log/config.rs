//! Per-topic log settings (`segment.bytes`, `retention.ms`, ...) with Apache Kafka's defaults.
//!
//! Owns only the values; parsing topic configs from strings belongs to the metadata layer.

/// `message.timestamp.type`: whether record timestamps come from the producer or the broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimestampType {
    /// Keep the producer's timestamps (`CreateTime`).
    #[default]
    CreateTime,
    /// Overwrite each batch's timestamp with the broker's clock at append (`LogAppendTime`).
    LogAppendTime,
}

/// Settings of one partition's log. Field names follow Kafka's topic configs.
#[derive(Clone, Debug)]
pub struct LogConfig {
    /// `segment.bytes`: roll a new segment when the next append would exceed this size.
    pub segment_bytes: u64,
    /// `segment.ms`: roll a new segment when the active one is older than this.
    pub segment_ms: i64,
    /// `retention.ms`: delete segments whose newest record is older than this; -1 = unlimited.
    pub retention_ms: i64,
    /// `retention.bytes`: delete the oldest segments while the log is larger; -1 = unlimited.
    pub retention_bytes: i64,
    /// `index.interval.bytes`: bytes of batches between two sparse index entries.
    pub index_interval_bytes: u32,
    /// `segment.index.bytes`: maximum size of one offset index; a full index rolls the segment.
    pub segment_index_bytes: u32,
    /// `max.message.bytes`: largest record batch accepted.
    pub max_message_bytes: u32,
    /// `message.timestamp.type`.
    pub message_timestamp_type: TimestampType,
    /// `message.timestamp.before.max.ms`: how far in the past a CreateTime timestamp may be.
    pub message_timestamp_before_max_ms: i64,
    /// `message.timestamp.after.max.ms`: how far in the future a CreateTime timestamp may be
    /// (Kafka 4.0 default: one hour).
    pub message_timestamp_after_max_ms: i64,
    /// `flush.messages`: fsync after this many unflushed records (1 = before every ack).
    pub flush_messages: u64,
    /// `flush.ms`: fsync when the oldest unflushed append is older than this.
    pub flush_ms: i64,
    /// `cleanup.policy` contains `compact`: keyless records are rejected. No compaction runs.
    pub compact: bool,
    /// `producer.id.expiration.ms` (a broker setting in Kafka): forget an idempotent producer
    /// that has not written for this long.
    pub producer_id_expiration_ms: i64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1_073_741_824,
            segment_ms: 604_800_000,
            retention_ms: 604_800_000,
            retention_bytes: -1,
            index_interval_bytes: 4096,
            segment_index_bytes: 10_485_760,
            max_message_bytes: 1_048_588,
            message_timestamp_type: TimestampType::CreateTime,
            message_timestamp_before_max_ms: i64::MAX,
            message_timestamp_after_max_ms: 3_600_000,
            flush_messages: u64::MAX,
            flush_ms: i64::MAX,
            compact: false,
            producer_id_expiration_ms: 86_400_000,
        }
    }
}

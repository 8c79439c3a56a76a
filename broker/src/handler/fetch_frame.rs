//! Encodes a Fetch response frame as a list of chunks: encoded header bytes interleaved with
//! [`FileSlice`]s of stored batches, so the connection can move the records from the segment
//! files to the socket without copying them (or copy them, on the copy path).
//!
//! Owns only the layout of FetchResponse v4..=v18 around the `records` fields. Every field
//! other than `records` is encoded by `kafka-protocol` (each `PartitionData` is encoded with
//! empty records and its tail replaced), so the frame is byte-identical to encoding the whole
//! response with the records inline — a test checks this for every version.

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::fetch_response::PartitionData;
use kafka_protocol::messages::{ApiKey, FetchResponse, ResponseHeader};
use kafka_protocol::protocol::Encodable;

use crate::log::FileSlice;

/// One piece of a response frame, in wire order.
#[derive(Debug)]
pub enum Chunk {
    Bytes(Bytes),
    File(FileSlice),
}

impl Chunk {
    pub fn len(&self) -> usize {
        match self {
            Chunk::Bytes(b) => b.len(),
            Chunk::File(f) => f.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A Fetch answer: the response with every partition's `records` left empty, and the stored
/// batches for each partition in the order the partitions appear (topics, then partitions).
#[derive(Clone, Debug, Default)]
pub struct FetchReply {
    pub response: FetchResponse,
    pub records: Vec<Option<FileSlice>>,
}

impl FetchReply {
    /// Bytes of records in the reply.
    pub fn record_bytes(&self) -> usize {
        self.records.iter().flatten().map(FileSlice::len).sum()
    }

    /// The response with the records read into memory (the copy path for callers that need
    /// a [`FetchResponse`] value). A partition whose bytes cannot be read answers
    /// KAFKA_STORAGE_ERROR.
    pub fn into_response(self) -> FetchResponse {
        let FetchReply {
            mut response,
            records,
        } = self;
        let mut slices = records.into_iter();
        for topic in &mut response.responses {
            for p in &mut topic.partitions {
                let Some(Some(slice)) = slices.next() else {
                    continue;
                };
                let mut buf = BytesMut::with_capacity(slice.len());
                match slice.read_into(&mut buf) {
                    Ok(()) => p.records = Some(buf.freeze()),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read stored batches for a fetch");
                        p.error_code = ferrokafka_protocol::ErrorCode::KafkaStorageError.code();
                    }
                }
            }
        }
        response
    }
}

fn put_uvarint(out: &mut BytesMut, mut v: u32) {
    while v >= 0x80 {
        out.put_u8((v as u8) | 0x80);
        v >>= 7;
    }
    out.put_u8(v as u8);
}

/// An array length: INT32 or, in flexible versions, UNSIGNED_VARINT of length + 1.
fn put_len(out: &mut BytesMut, flexible: bool, len: usize) -> anyhow::Result<()> {
    if flexible {
        put_uvarint(out, u32::try_from(len + 1)?);
    } else {
        out.put_i32(i32::try_from(len)?);
    }
    Ok(())
}

/// Encodes the frame (4-byte length prefix included) for `reply` at `version`.
pub fn encode(version: i16, correlation_id: i32, reply: &FetchReply) -> anyhow::Result<Vec<Chunk>> {
    let response = &reply.response;
    anyhow::ensure!(
        (4..=18).contains(&version),
        "Fetch v{version} responses are not supported"
    );
    anyhow::ensure!(
        response.unknown_tagged_fields.is_empty() && response.node_endpoints.is_empty(),
        "the zero-copy Fetch encoder does not write response-level tagged fields"
    );
    let flexible = version >= 12;
    let mut chunks = Vec::new();
    let mut out = BytesMut::with_capacity(256);
    out.put_i32(0); // frame length, patched below
    ResponseHeader::default()
        .with_correlation_id(correlation_id)
        .encode(&mut out, ApiKey::Fetch.response_header_version(version))?;
    out.put_i32(response.throttle_time_ms);
    if version >= 7 {
        out.put_i16(response.error_code);
        out.put_i32(response.session_id);
    }
    put_len(&mut out, flexible, response.responses.len())?;
    let mut slices = reply.records.iter();
    let mut partition_buf = BytesMut::with_capacity(128);
    for topic in &response.responses {
        anyhow::ensure!(
            topic.unknown_tagged_fields.is_empty(),
            "topic-level tagged fields are not written by the zero-copy encoder"
        );
        if version <= 12 {
            let name = topic.topic.0.as_bytes();
            if flexible {
                put_uvarint(&mut out, u32::try_from(name.len() + 1)?);
            } else {
                out.put_i16(i16::try_from(name.len())?);
            }
            out.put_slice(name);
        }
        if version >= 13 {
            out.put_slice(topic.topic_id.as_bytes());
        }
        put_len(&mut out, flexible, topic.partitions.len())?;
        for p in &topic.partitions {
            let slice = slices.next().and_then(Option::as_ref);
            encode_partition(&mut out, &mut partition_buf, &mut chunks, version, p, slice)?;
        }
        if flexible {
            put_uvarint(&mut out, 0);
        }
    }
    if flexible {
        put_uvarint(&mut out, 0);
    }
    chunks.push(Chunk::Bytes(out.split().freeze()));
    let total: usize = chunks.iter().map(Chunk::len).sum::<usize>() - 4;
    let total = i32::try_from(total)?.to_be_bytes();
    if let Some(Chunk::Bytes(first)) = chunks.first_mut() {
        let mut patched = BytesMut::from(&first[..]);
        patched[..4].copy_from_slice(&total);
        *first = patched.freeze();
    }
    Ok(chunks)
}

/// Appends one partition: its fields (by `kafka-protocol`, records left out), the records
/// length, then the records as a file chunk (or nothing), then its tagged fields.
fn encode_partition(
    out: &mut BytesMut,
    scratch: &mut BytesMut,
    chunks: &mut Vec<Chunk>,
    version: i16,
    p: &PartitionData,
    slice: Option<&FileSlice>,
) -> anyhow::Result<()> {
    let flexible = version >= 12;
    scratch.clear();
    // `records` is the last field before the tagged fields. With empty records the encoding
    // ends in [INT32 0] (classic) or [varint 1][varint 0 tagged fields] (flexible), provided
    // no tagged field is set, which is checked.
    anyhow::ensure!(
        p.records.as_ref().is_none_or(|r| r.is_empty()),
        "partition records must be left empty for the zero-copy encoder"
    );
    let mut empty = p.clone();
    empty.records = Some(Bytes::new());
    empty.encode(scratch, version)?;
    let tail: &[u8] = if flexible { &[1, 0] } else { &[0, 0, 0, 0] };
    anyhow::ensure!(
        scratch.ends_with(tail),
        "partition tagged fields are not written by the zero-copy encoder"
    );
    out.put_slice(&scratch[..scratch.len() - tail.len()]);
    let len = slice.map_or(0, FileSlice::len);
    if flexible {
        put_uvarint(out, u32::try_from(len + 1)?);
    } else {
        out.put_i32(i32::try_from(len)?);
    }
    if let Some(slice) = slice.filter(|s| !s.is_empty()) {
        chunks.push(Chunk::Bytes(out.split().freeze()));
        chunks.push(Chunk::File(slice.clone()));
    }
    if flexible {
        put_uvarint(out, 0);
    }
    Ok(())
}

/// The copy path: the whole frame in `out`.
pub fn copy_into(chunks: &[Chunk], out: &mut BytesMut) -> std::io::Result<()> {
    for chunk in chunks {
        match chunk {
            Chunk::Bytes(b) => out.extend_from_slice(b),
            Chunk::File(f) => f.read_into(out)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::fetch_response::{AbortedTransaction, FetchableTopicResponse};
    use kafka_protocol::messages::{BrokerId, ResponseKind, TopicName};
    use kafka_protocol::protocol::StrBytes;
    use std::io::Write;
    use std::sync::Arc;

    fn partition(index: i32, error: i16) -> PartitionData {
        PartitionData::default()
            .with_partition_index(index)
            .with_error_code(error)
            .with_high_watermark(1000 + i64::from(index))
            .with_last_stable_offset(900)
            .with_log_start_offset(3)
            .with_preferred_read_replica(BrokerId(-1))
            .with_records(Some(Bytes::new()))
    }

    /// Two topics: a small slice, an erred partition, a large slice; an empty slice and a
    /// read_committed partition with aborted transactions listed.
    fn reply(file: Arc<std::fs::File>, version: i16) -> FetchReply {
        let topic = |name: &str, id: u128, partitions| {
            FetchableTopicResponse::default()
                .with_topic(TopicName(StrBytes::from_string(name.to_string())))
                .with_topic_id(uuid::Uuid::from_u128(id))
                .with_partitions(partitions)
        };
        let response = FetchResponse::default()
            .with_throttle_time_ms(5)
            .with_session_id(if version >= 7 { 77 } else { 0 })
            .with_responses(vec![
                topic(
                    "alpha",
                    1,
                    vec![partition(0, 0), partition(1, 6), partition(2, 0)],
                ),
                topic(
                    "beta-with-a-longer-name",
                    2,
                    vec![
                        partition(0, 0),
                        partition(7, 0).with_aborted_transactions(Some(vec![
                            AbortedTransaction::default()
                                .with_producer_id(kafka_protocol::messages::ProducerId(9))
                                .with_first_offset(4),
                        ])),
                    ],
                ),
            ]);
        FetchReply {
            response,
            records: vec![
                Some(FileSlice::new(file.clone(), 10, 100)),
                None,
                Some(FileSlice::new(file.clone(), 1000, 200_000)),
                Some(FileSlice::new(file.clone(), 0, 0)),
                Some(FileSlice::new(file, 500, 20_000)),
            ],
        }
    }

    #[test]
    fn chunked_frames_are_byte_identical_to_encoding_the_whole_response() {
        let mut f = tempfile::tempfile().unwrap();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 31 % 251) as u8).collect();
        f.write_all(&data).unwrap();
        let file = Arc::new(f);
        for version in 4..=18 {
            let reply = reply(file.clone(), version);
            let chunks = encode(version, 42, &reply).unwrap();
            assert!(chunks.iter().any(|c| matches!(c, Chunk::File(_))));
            let mut ours = BytesMut::new();
            copy_into(&chunks, &mut ours).unwrap();
            let mut reference = BytesMut::new();
            crate::wire::encode_response(
                &mut reference,
                ApiKey::Fetch,
                version,
                42,
                &ResponseKind::Fetch(reply.into_response()),
            )
            .unwrap();
            assert_eq!(ours.len(), reference.len(), "v{version} length");
            assert!(ours == reference, "v{version} bytes differ");
        }
    }

    #[test]
    fn tagged_fields_the_encoder_does_not_write_are_refused() {
        let mut reply = FetchReply::default();
        reply.response.responses = vec![FetchableTopicResponse::default().with_partitions(vec![
            partition(0, 0).with_diverging_epoch(
                kafka_protocol::messages::fetch_response::EpochEndOffset::default()
                    .with_epoch(3)
                    .with_end_offset(5),
            ),
        ])];
        reply.records = vec![None];
        assert!(encode(12, 1, &reply).is_err());
    }
}

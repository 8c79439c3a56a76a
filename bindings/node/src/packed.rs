//! A polled batch of records packed for one crossing into JS: every key, value and header byte
//! in one Buffer, the per-record numbers in typed arrays, topic names once. Building a JS object
//! per record from Rust costs a dozen N-API calls each; this costs a handful per poll, and the TS
//! layer (`ts/records.ts`) decodes it into kafkajs messages whose keys and values are views of
//! the one Buffer, as kafkajs's own are views of the fetch response.
//!
//! Layout of `layout` (Int32Array), per record in poll order:
//! `topicIndex, partition, keyLen, valueLen, headerCount`, then per header
//! `keyLen, valueLen`. A length of -1 is null. The bytes of each
//! record follow one another in `data` in the same order: key, value, then per header its UTF-8
//! key and its value.
//!
//! The record batches the records came in (kafkajs's `batchContext`), in poll order: per batch
//! in `batchInts` (Int32Array) `firstRecord, partitionLeaderEpoch, attributes, lastOffsetDelta,
//! producerEpoch, firstSequence` (`firstRecord` indexes the poll's records), and in
//! `batchLongs` (BigInt64Array, exact) `firstOffset, firstTimestamp, maxTimestamp, producerId`.

use std::sync::Arc;

use ferrokafka_core::{BatchHeader, ConsumerRecord};
use napi::bindgen_prelude::{BigInt64Array, Buffer, Float64Array, Int32Array};
use napi_derive::napi;

/// Records of one poll, packed (see the module documentation for the layout).
#[napi(object)]
pub struct PolledRecords {
    /// How many records.
    pub count: u32,
    /// Topic names, referenced by index from `layout`.
    pub topics: Vec<String>,
    pub layout: Int32Array,
    /// Offsets (exact below 2^53).
    pub offsets: Float64Array,
    /// Timestamps in ms since the epoch.
    pub timestamps: Float64Array,
    pub data: Buffer,
    /// Six numbers per record batch (see the module documentation).
    pub batch_ints: Int32Array,
    /// Four 64-bit numbers per record batch (see the module documentation).
    pub batch_longs: BigInt64Array,
}

const FIELDS_PER_RECORD: usize = 5;

/// Appends the batch a record came in, unless the previous record came in the same one.
fn push_batch(
    index: usize,
    batch: &Arc<BatchHeader>,
    last: &mut Option<Arc<BatchHeader>>,
    ints: &mut Vec<i32>,
    longs: &mut Vec<i64>,
) {
    if last.as_ref().is_some_and(|l| Arc::ptr_eq(l, batch)) {
        return;
    }
    ints.extend_from_slice(&[
        i32::try_from(index).unwrap_or(i32::MAX),
        batch.partition_leader_epoch,
        i32::from(batch.attributes),
        batch.last_offset_delta,
        i32::from(batch.producer_epoch),
        batch.base_sequence,
    ]);
    longs.extend_from_slice(&[
        batch.base_offset,
        batch.base_timestamp,
        batch.max_timestamp,
        batch.producer_id,
    ]);
    *last = Some(Arc::clone(batch));
}

fn len_of(b: &Option<bytes::Bytes>) -> i32 {
    b.as_ref().map_or(-1, |b| b.len() as i32)
}

fn push_bytes(data: &mut Vec<u8>, b: &Option<bytes::Bytes>) {
    if let Some(b) = b {
        data.extend_from_slice(b);
    }
}

/// Packs the records of one poll.
pub fn pack(records: &[ConsumerRecord]) -> PolledRecords {
    let mut topics: Vec<String> = Vec::new();
    let mut layout = Vec::with_capacity(records.len() * FIELDS_PER_RECORD);
    let mut offsets = Vec::with_capacity(records.len());
    let mut timestamps = Vec::with_capacity(records.len());
    let size: usize = records
        .iter()
        .map(|r| {
            r.key.as_ref().map_or(0, |b| b.len())
                + r.value.as_ref().map_or(0, |b| b.len())
                + r.headers
                    .iter()
                    .map(|(k, v)| k.len() + v.as_ref().map_or(0, |v| v.len()))
                    .sum::<usize>()
        })
        .sum();
    let mut data = Vec::with_capacity(size);
    let (mut batch_ints, mut batch_longs, mut last_batch) = (Vec::new(), Vec::new(), None);
    for (i, r) in records.iter().enumerate() {
        push_batch(
            i,
            &r.batch,
            &mut last_batch,
            &mut batch_ints,
            &mut batch_longs,
        );
        // Records come in partition runs, so the last topic is nearly always the one.
        let topic_index = match topics.iter().rposition(|t| **t == *r.topic) {
            Some(i) => i,
            None => {
                topics.push(r.topic.to_string());
                topics.len() - 1
            }
        };
        layout.extend_from_slice(&[
            topic_index as i32,
            r.partition,
            len_of(&r.key),
            len_of(&r.value),
            r.headers.len() as i32,
        ]);
        push_bytes(&mut data, &r.key);
        push_bytes(&mut data, &r.value);
        for (k, v) in &r.headers {
            layout.extend_from_slice(&[k.len() as i32, len_of(v)]);
            data.extend_from_slice(k.as_bytes());
            push_bytes(&mut data, v);
        }
        offsets.push(r.offset as f64);
        timestamps.push(r.timestamp as f64);
    }
    PolledRecords {
        count: records.len() as u32,
        topics,
        layout: Int32Array::new(layout),
        offsets: Float64Array::new(offsets),
        timestamps: Float64Array::new(timestamps),
        data: Buffer::from(data),
        batch_ints: Int32Array::new(batch_ints),
        batch_longs: BigInt64Array::new(batch_longs),
    }
}

//! A batch of records to send, packed by the TS layer (`ts/outgoing.ts`) for one crossing into
//! Rust: every key, value and header byte in one Buffer, the per-record numbers in typed arrays,
//! topic names once. Converting a JS object per record costs a dozen N-API property reads and a
//! Buffer copy each; this costs a handful per send and one copy, and the records' keys and
//! values become slices of that one allocation.
//!
//! Layout of `layout` (Int32Array), per record in send order:
//! `topicIndex, partition, keyLen, valueLen, headerCount`, then per header `keyLen, valueLen`.
//! A partition of -1 lets the core's partitioner choose; a length of -1 is null. The bytes of
//! each record follow one another in `data` in the same order: key, value, then per header its
//! UTF-8 key and its value. `timestamps` (one per record, NaN = none given) is absent when no
//! record has one; records without one all get the time of the unpack, read once (kafkajs
//! also stamps every message of a request with one `Date.now()`). The answer names each
//! topic-partition once, with the offset of its first record.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ferrokafka_core::{ProducerRecord, RecordHeader, RecordMetadata};
use napi::{Error, Status};

use crate::convert::Delivery;

const FIELDS_PER_RECORD: usize = 5;

fn bad(what: &str) -> Error {
    Error::new(
        Status::InvalidArg,
        format!("malformed packed send ({what}); send records through the ferrokafka Producer API"),
    )
}

/// Walks `data` in step with the layout.
struct Cursor {
    data: Bytes,
    pos: usize,
}

impl Cursor {
    fn take(&mut self, len: i32) -> napi::Result<Option<Bytes>> {
        if len < 0 {
            return Ok(None);
        }
        let end = self
            .pos
            .checked_add(len as usize)
            .filter(|e| *e <= self.data.len())
            .ok_or_else(|| bad("a length runs past the data"))?;
        let b = self.data.slice(self.pos..end);
        self.pos = end;
        Ok(Some(b))
    }
}

/// Milliseconds since the epoch.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Unpacks a send into the core's records, in order.
pub fn unpack(
    topics: &[String],
    layout: &[i32],
    data: Bytes,
    timestamps: Option<&[f64]>,
) -> napi::Result<Vec<ProducerRecord>> {
    let mut cur = Cursor { data, pos: 0 };
    // One shared name per topic: each record's topic is then a reference count, not a copy.
    let topics: Vec<Arc<str>> = topics.iter().map(|t| Arc::from(t.as_str())).collect();
    let now = now_ms();
    let mut records = Vec::with_capacity(layout.len() / FIELDS_PER_RECORD);
    let mut at = 0;
    while at < layout.len() {
        let f = layout
            .get(at..at + FIELDS_PER_RECORD)
            .ok_or_else(|| bad("the layout ends inside a record"))?;
        at += FIELDS_PER_RECORD;
        let topic = usize::try_from(f[0])
            .ok()
            .and_then(|i| topics.get(i))
            .ok_or_else(|| bad("a topic index is out of range"))?;
        let partition = match f[1] {
            -1 => None,
            p if p >= 0 => Some(p),
            _ => return Err(bad("a partition is negative")),
        };
        let key = cur.take(f[2])?;
        let value = cur.take(f[3])?;
        let header_count = usize::try_from(f[4]).map_err(|_| bad("a header count is negative"))?;
        let mut headers = Vec::with_capacity(header_count);
        for _ in 0..header_count {
            let h = layout
                .get(at..at + 2)
                .ok_or_else(|| bad("the layout ends inside a header"))?;
            at += 2;
            let key = cur.take(h[0])?.ok_or_else(|| bad("a header key is null"))?;
            let key =
                String::from_utf8(key.to_vec()).map_err(|_| bad("a header key is not UTF-8"))?;
            headers.push(RecordHeader {
                key,
                value: cur.take(h[1])?,
            });
        }
        let timestamp = match timestamps {
            None => now,
            Some(ts) => {
                let t = *ts
                    .get(records.len())
                    .ok_or_else(|| bad("fewer timestamps than records"))?;
                if t.is_nan() {
                    now
                } else {
                    t as i64
                }
            }
        };
        records.push(ProducerRecord {
            topic: Arc::clone(topic),
            partition,
            key,
            value,
            headers,
            timestamp: Some(timestamp),
        });
    }
    if cur.pos != cur.data.len() {
        return Err(bad("bytes are left over after the last record"));
    }
    Ok(records)
}

/// Adds a delivery unless its topic-partition already has one: the answer keeps the first per
/// topic-partition in send order (what kafkajs reports).
pub fn note_first(out: &mut Vec<Delivery>, m: RecordMetadata) {
    // A send spans few partitions: a linear scan beats hashing here.
    if !out
        .iter()
        .any(|d| d.partition == m.partition && *d.topic == *m.topic)
    {
        out.push(Delivery::from(m));
    }
}

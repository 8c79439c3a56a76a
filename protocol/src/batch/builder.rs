//! Magic-v2 record batches, written incrementally.
//!
//! Owns encoding records (with duplicate-key headers) into a growing buffer as they arrive,
//! compressing and prefixing the 61-byte batch header with its CRC-32C when the batch is
//! finished (uncompressed, in place: the records are written after room for the header, so
//! [`BatchBuilder::finish_in_place`] copies nothing), and re-stamping producer id/epoch/sequence
//! on a finished batch (retries after an epoch bump). It must not decide when a batch is full or sent; that is the accumulator's job.

use bytes::{BufMut, Bytes, BytesMut};

use super::header::{patch_producer, BatchHeader, HEADER_SIZE as BATCH_HEADER_SIZE, LOG_OVERHEAD};
use crate::compression::{Compression, CompressionType};
use crate::error::ProtocolError;
use crate::varint::{put_varint, put_varlong, uvarint_len, varint_len, zigzag64};

type Result<T> = std::result::Result<T, ProtocolError>;

/// One record header; keys may repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHeader {
    pub key: String,
    pub value: Option<Bytes>,
}

/// Accumulates records for one partition in the uncompressed v2 record layout.
#[derive(Debug)]
pub struct BatchBuilder {
    /// Room for the batch header, then the records. A `Vec` rather than a `BytesMut`: its
    /// fixed-size appends inline (see `append`).
    records: Vec<u8>,
    count: i32,
    base_timestamp: i64,
    max_timestamp: i64,
}

/// A finished batch ready to be put in a ProduceRequest.
#[derive(Debug, Clone)]
pub struct FinishedBatch {
    /// The whole batch, header included.
    pub bytes: Bytes,
    pub record_count: i32,
    pub base_timestamp: i64,
    /// Uncompressed size of the records section.
    pub uncompressed_size: usize,
}

fn len_i32(n: usize) -> Result<i32> {
    i32::try_from(n).map_err(|_| ProtocolError::TooLarge("field larger than 2 GiB".into()))
}

fn body_size(
    ts_delta: i64,
    offset_delta: i32,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[RecordHeader],
) -> usize {
    let opt = |b: Option<&[u8]>| match b {
        Some(b) => varint_len(b.len() as i32) + b.len(),
        None => 1,
    };
    let mut n =
        1 + uvarint_len(zigzag64(ts_delta)) + varint_len(offset_delta) + opt(key) + opt(value);
    n += varint_len(headers.len() as i32);
    for h in headers {
        n += varint_len(h.key.len() as i32) + h.key.len() + opt(h.value.as_deref());
    }
    n
}

/// A length prefix: the length, or -1 for null.
fn opt_len(b: Option<&[u8]>) -> Result<i32> {
    b.map_or(Ok(-1), |b| len_i32(b.len()))
}

/// Upper bound of the encoded size of one record in a fresh batch (Java's
/// `estimateSizeInBytesUpperBound`): batch header plus the record with worst-case varints.
pub fn estimate_record_size(
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[RecordHeader],
) -> usize {
    let hdrs: usize = headers
        .iter()
        .map(|h| 5 + h.key.len() + 5 + h.value.as_ref().map_or(0, |v| v.len()))
        .sum();
    BATCH_HEADER_SIZE
        + 5
        + 1
        + 10
        + 5
        + 5
        + key.map_or(0, <[u8]>::len)
        + 5
        + value.map_or(0, <[u8]>::len)
        + 5
        + hdrs
}

impl BatchBuilder {
    /// An empty batch with room for `capacity` bytes of records.
    pub fn new(capacity: usize) -> BatchBuilder {
        let mut records = Vec::with_capacity(BATCH_HEADER_SIZE + capacity);
        records.resize(BATCH_HEADER_SIZE, 0);
        BatchBuilder {
            records,
            count: 0,
            base_timestamp: -1,
            max_timestamp: -1,
        }
    }

    /// Records appended so far.
    pub fn record_count(&self) -> i32 {
        self.count
    }

    /// Current encoded size, header included, uncompressed.
    pub fn size(&self) -> usize {
        self.records.len()
    }

    /// Bytes this record would add to the batch.
    pub fn record_size(
        &self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[RecordHeader],
    ) -> usize {
        let delta = if self.count == 0 {
            0
        } else {
            timestamp - self.base_timestamp
        };
        let body = body_size(delta, self.count, key, value, headers);
        varint_len(body as i32) + body
    }

    /// Appends a record; returns its offset delta in the batch.
    pub fn append(
        &mut self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[RecordHeader],
    ) -> Result<i32> {
        if self.count == 0 {
            self.base_timestamp = timestamp;
        }
        let ts_delta = timestamp - self.base_timestamp;
        let offset_delta = self.count;
        let body = body_size(ts_delta, offset_delta, key, value, headers);
        // The small fields go through a stack buffer copied whole (a fixed-size copy the
        // compiler inlines) and cut back to what was written: a call per field or per varint
        // byte costs more than the 100-byte value itself.
        const SCRATCH: usize = 32;
        let r = &mut self.records;
        // The length prefix, the record, and the whole scratch of the last fixed-size copy.
        r.reserve(body + 5 + SCRATCH);
        let flush = |r: &mut Vec<u8>, scratch: &[u8; SCRATCH], rest: usize| {
            r.extend_from_slice(scratch);
            r.truncate(r.len() - rest);
        };
        let mut scratch = [0u8; SCRATCH];
        let mut w: &mut [u8] = &mut scratch;
        // At most 5 + 1 + 10 + 5 + 5 bytes, then (below) 5 more.
        put_varint(&mut w, len_i32(body)?);
        w.put_u8(0); // attributes
        put_varlong(&mut w, ts_delta);
        put_varint(&mut w, offset_delta);
        put_varint(&mut w, opt_len(key)?);
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            let rest = w.len();
            flush(r, &scratch, rest);
            r.extend_from_slice(k);
            w = &mut scratch;
        }
        put_varint(&mut w, opt_len(value)?);
        let rest = w.len();
        flush(r, &scratch, rest);
        r.extend_from_slice(value.unwrap_or_default());
        if headers.is_empty() {
            r.push(0); // header count
            self.count += 1;
            self.max_timestamp = self.max_timestamp.max(timestamp);
            return Ok(offset_delta);
        }
        let put_opt = |r: &mut Vec<u8>, b: Option<&[u8]>| -> Result<()> {
            put_varint(r, opt_len(b)?);
            r.put_slice(b.unwrap_or_default());
            Ok(())
        };
        put_varint(r, len_i32(headers.len())?);
        for h in headers {
            put_varint(r, len_i32(h.key.len())?);
            r.put_slice(h.key.as_bytes());
            put_opt(r, h.value.as_deref())?;
        }
        self.count += 1;
        self.max_timestamp = self.max_timestamp.max(timestamp);
        Ok(offset_delta)
    }

    /// Compresses the records and writes the header (producer fields as given, CRC included).
    /// The builder is left as it was (see [`finish_in_place`](Self::finish_in_place)).
    pub fn finish(
        &self,
        compression: impl Into<Compression>,
        producer_id: i64,
        producer_epoch: i16,
        base_sequence: i32,
    ) -> Result<FinishedBatch> {
        let mut out = BytesMut::with_capacity(self.records.len());
        out.put_bytes(0, BATCH_HEADER_SIZE);
        let compression = compression.into();
        let records = self.records.get(BATCH_HEADER_SIZE..).unwrap_or_default();
        compression.compress(records, &mut out)?;
        self.seal(
            &mut out,
            compression,
            producer_id,
            producer_epoch,
            base_sequence,
        )?;
        Ok(FinishedBatch {
            bytes: out.freeze(),
            record_count: self.count,
            base_timestamp: self.base_timestamp,
            uncompressed_size: self.size(),
        })
    }

    /// As [`finish`](Self::finish), but an uncompressed batch takes the builder's buffer
    /// itself (the header written into the room left for it) instead of a copy. Call it once,
    /// as the batch's last step: the builder then keeps its count and timestamps but no bytes
    /// (`size` 0). A compressed batch is written as `finish` writes it, the builder untouched.
    pub fn finish_in_place(
        &mut self,
        compression: impl Into<Compression>,
        producer_id: i64,
        producer_epoch: i16,
        base_sequence: i32,
    ) -> Result<FinishedBatch> {
        let compression = compression.into();
        if compression.codec != CompressionType::None {
            return self.finish(compression, producer_id, producer_epoch, base_sequence);
        }
        let uncompressed_size = self.size();
        let mut out = std::mem::take(&mut self.records);
        self.seal(
            &mut out,
            compression,
            producer_id,
            producer_epoch,
            base_sequence,
        )?;
        Ok(FinishedBatch {
            bytes: Bytes::from(out),
            record_count: self.count,
            base_timestamp: self.base_timestamp,
            uncompressed_size,
        })
    }

    /// Writes the header over the first [`BATCH_HEADER_SIZE`] bytes of `out` (the whole batch).
    fn seal(
        &self,
        out: &mut [u8],
        compression: Compression,
        producer_id: i64,
        producer_epoch: i16,
        base_sequence: i32,
    ) -> Result<()> {
        let header = BatchHeader {
            base_offset: 0, // assigned by the broker
            batch_length: len_i32(out.len() - LOG_OVERHEAD)?,
            partition_leader_epoch: -1,
            magic: 2,
            crc: 0,                                   // sealed below
            attributes: compression.attribute_bits(), // CreateTime, not transactional
            last_offset_delta: self.count - 1,
            base_timestamp: self.base_timestamp,
            max_timestamp: self.max_timestamp,
            producer_id,
            producer_epoch,
            base_sequence,
            record_count: self.count,
        };
        header.write_into(out);
        patch_producer(out, producer_id, producer_epoch, base_sequence);
        Ok(())
    }
}

impl FinishedBatch {
    /// Rewrites producer id, epoch and base sequence in place and recomputes the CRC.
    /// Copies the bytes (rare: only after an epoch bump).
    pub fn restamp(&mut self, producer_id: i64, producer_epoch: i16, base_sequence: i32) {
        let mut b = BytesMut::from(&self.bytes[..]);
        patch_producer(&mut b, producer_id, producer_epoch, base_sequence);
        self.bytes = b.freeze();
    }

    /// Encoded size of the batch.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the batch has no bytes (never true for a finished batch).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compression::CompressionType;
    use kafka_protocol::records::{Compression, RecordBatchDecoder};

    fn sample(compression: CompressionType) {
        let mut b = BatchBuilder::new(128);
        let headers = vec![
            RecordHeader {
                key: "k".into(),
                value: Some(Bytes::from_static(b"1")),
            },
            RecordHeader {
                key: "n".into(),
                value: None,
            },
        ];
        let size_before = b.size();
        let predicted = b.record_size(1_000, Some(b"key"), Some(b"value"), &headers);
        assert_eq!(
            b.append(1_000, Some(b"key"), Some(b"value"), &headers)
                .unwrap(),
            0
        );
        assert_eq!(b.size() - size_before, predicted);
        assert_eq!(b.append(1_005, None, Some(&[0xff; 300]), &[]).unwrap(), 1);
        assert_eq!(b.append(999, Some(b""), None, &[]).unwrap(), 2);
        let fin = b.finish(compression, 77, 3, 10).unwrap();
        let mut bytes = fin.bytes.clone();
        let set = RecordBatchDecoder::decode(&mut bytes).unwrap();
        let want = match compression {
            CompressionType::None => Compression::None,
            CompressionType::Gzip => Compression::Gzip,
            CompressionType::Snappy => Compression::Snappy,
            CompressionType::Lz4 => Compression::Lz4,
            CompressionType::Zstd => Compression::Zstd,
        };
        assert_eq!(set.compression, want);
        let r = &set.records;
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].key.as_deref(), Some(&b"key"[..]));
        assert_eq!(r[0].value.as_deref(), Some(&b"value"[..]));
        assert_eq!(r[0].timestamp, 1_000);
        assert_eq!(r[0].producer_id, 77);
        assert_eq!(r[0].producer_epoch, 3);
        assert_eq!(r[0].sequence, 10);
        assert_eq!(r[0].headers.len(), 2);
        assert_eq!(r[1].offset, 1);
        assert_eq!(r[1].sequence, 11);
        assert_eq!(r[1].timestamp, 1_005);
        assert_eq!(r[1].key, None);
        assert_eq!(r[1].value.as_ref().map(|v| v.len()), Some(300));
        assert_eq!(r[2].key.as_deref(), Some(&b""[..]));
        assert_eq!(r[2].value, None);
        assert_eq!(r[2].timestamp, 999);
    }

    #[test]
    fn round_trips_every_codec() {
        for c in CompressionType::ALL {
            sample(c);
        }
    }

    #[test]
    fn finishing_in_place_writes_the_same_batch_as_finish() {
        for c in CompressionType::ALL {
            let mut b = BatchBuilder::new(16);
            b.append(1_000, Some(b"key"), Some(&[7; 300]), &[]).unwrap();
            b.append(1_002, None, Some(b"second"), &[]).unwrap();
            let copied = b.finish(c, 5, 1, 9).unwrap();
            let size = b.size();
            let taken = b.finish_in_place(c, 5, 1, 9).unwrap();
            assert_eq!(taken.bytes, copied.bytes, "{c:?}");
            assert_eq!(taken.record_count, 2);
            assert_eq!(taken.base_timestamp, 1_000);
            assert_eq!(taken.uncompressed_size, size);
            let mut bytes = taken.bytes.clone();
            let set = RecordBatchDecoder::decode(&mut bytes).unwrap();
            assert_eq!(set.records.len(), 2);
            assert_eq!(set.records[1].value.as_deref(), Some(&b"second"[..]));
        }
    }

    #[test]
    fn duplicate_header_keys_are_kept_on_the_wire() {
        let mut b = BatchBuilder::new(64);
        let h = vec![
            RecordHeader {
                key: "dup".into(),
                value: Some(Bytes::from_static(b"a")),
            },
            RecordHeader {
                key: "dup".into(),
                value: Some(Bytes::from_static(b"b")),
            },
        ];
        b.append(1, None, Some(b"v"), &h).unwrap();
        let fin = b.finish(CompressionType::None, -1, -1, -1).unwrap();
        // Both header values are present in the encoded record.
        let raw = &fin.bytes[BATCH_HEADER_SIZE..];
        let count = raw
            .windows(4)
            .filter(|w| *w == [6, b'd', b'u', b'p'])
            .count();
        assert_eq!(count, 2);
    }

    #[test]
    fn restamp_updates_fields_and_crc() {
        let mut b = BatchBuilder::new(64);
        b.append(5, Some(b"k"), Some(b"v"), &[]).unwrap();
        let mut fin = b.finish(CompressionType::Lz4, 1, 0, 0).unwrap();
        fin.restamp(9, 4, 42);
        let mut bytes = fin.bytes.clone();
        let set = RecordBatchDecoder::decode(&mut bytes).unwrap();
        assert_eq!(set.records[0].producer_id, 9);
        assert_eq!(set.records[0].producer_epoch, 4);
        assert_eq!(set.records[0].sequence, 42);
        // A flipped byte fails the CRC check.
        let mut corrupt = BytesMut::from(&fin.bytes[..]);
        let last = corrupt.len() - 1;
        corrupt[last] ^= 0xff;
        assert!(RecordBatchDecoder::decode(&mut corrupt.freeze()).is_err());
    }

    #[test]
    fn estimate_is_an_upper_bound() {
        let h = vec![RecordHeader {
            key: "h".into(),
            value: Some(Bytes::from_static(b"x")),
        }];
        let est = estimate_record_size(Some(b"key"), Some(&[0; 1000]), &h);
        let mut b = BatchBuilder::new(0);
        b.append(123, Some(b"key"), Some(&[0; 1000]), &h).unwrap();
        assert!(est >= b.size(), "{est} < {}", b.size());
    }
}

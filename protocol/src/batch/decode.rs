//! Decoding one magic-v2 record batch into records, the read-side twin of `builder.rs`.
//!
//! Headers stay an ordered list, so repeated header names survive (Kafka allows them; a map
//! would silently keep only the last). The batch CRC-32C is verified unless the caller opts out,
//! as Java's `check.crcs` (default true) decides. Decompression uses the `kafka-protocol`
//! codecs. Never panics on bad bytes: every read is bounds-checked and a malformed batch is an
//! `ErrorKind::Protocol` error.

use bytes::Bytes;
use kafka_protocol::compression::{self as codec, Decompressor};

use super::header::{compute_crc, BatchHeader, HEADER_SIZE};
use crate::error::ProtocolError;
use crate::varint;

type Result<T> = std::result::Result<T, ProtocolError>;

/// One decoded record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedRecord {
    pub offset: i64,
    pub timestamp: i64,
    /// True when the timestamp was set by the broker (LogAppendTime).
    pub log_append_time: bool,
    pub key: Option<Bytes>,
    pub value: Option<Bytes>,
    pub headers: Vec<(String, Option<Bytes>)>,
    /// The batch's partition leader epoch, when set.
    pub leader_epoch: Option<i32>,
}

fn corrupt(what: impl std::fmt::Display) -> ProtocolError {
    ProtocolError::CorruptBatch(what.to_string())
}

/// Decodes one complete magic-v2 batch, handing each record to `each` in offset order, and
/// returns how many there were. Consumers push straight into their own buffers this way, with
/// no intermediate vector per batch. On an error some records may already have been handed over;
/// the caller drops them with the batch. `check_crc`: verify the batch's CRC-32C first (Java's
/// `check.crcs`); without it a corrupted batch still fails where its structure is broken, but
/// flipped bytes inside a key or value go unnoticed.
pub fn decode_each_record(
    batch: Bytes,
    check_crc: bool,
    mut each: impl FnMut(DecodedRecord),
) -> Result<usize> {
    let h = BatchHeader::parse(&batch)
        .ok_or_else(|| corrupt(format!("{} bytes is shorter than a header", batch.len())))?;
    if h.magic != 2 {
        return Err(corrupt(format!(
            "magic {} is not supported (only v2)",
            h.magic
        )));
    }
    if check_crc && compute_crc(&batch) != h.crc {
        return Err(corrupt("CRC-32C mismatch"));
    }
    let count = h.record_count;
    let count = usize::try_from(count).map_err(|_| corrupt(format!("record count {count}")))?;
    let log_append_time = h.attributes & 0x08 != 0;
    let mut body = batch.slice(HEADER_SIZE..);
    let batch_ctx = BatchContext {
        base_offset: h.base_offset,
        base_timestamp: h.base_timestamp,
        max_timestamp: h.max_timestamp,
        log_append_time,
        leader_epoch: (h.partition_leader_epoch >= 0).then_some(h.partition_leader_epoch),
    };
    let walk = |buf: &mut Bytes| -> anyhow::Result<usize> {
        let mut cursor = Cursor { all: buf, pos: 0 };
        for _ in 0..count {
            each(cursor.record(&batch_ctx)?);
        }
        Ok(count)
    };
    let decoded = match h.attributes & 0x07 {
        0 => codec::None::decompress(&mut body, walk),
        1 => codec::Gzip::decompress(&mut body, walk),
        2 => codec::Snappy::decompress(&mut body, walk),
        3 => codec::Lz4::decompress(&mut body, walk),
        4 => codec::Zstd::decompress(&mut body, walk),
        other => return Err(corrupt(format!("unknown compression codec {other}"))),
    };
    decoded.map_err(|e| corrupt(format!("at base offset {}: {e:#}", h.base_offset)))
}

struct BatchContext {
    base_offset: i64,
    base_timestamp: i64,
    max_timestamp: i64,
    log_append_time: bool,
    leader_epoch: Option<i32>,
}

/// Reads records from the (decompressed) records section. Fields are read from the slice by
/// index; only keys, values and header values become `Bytes` (views of the batch, no copy).
struct Cursor<'a> {
    all: &'a Bytes,
    pos: usize,
}

impl Cursor<'_> {
    fn record(&mut self, batch: &BatchContext) -> anyhow::Result<DecodedRecord> {
        let len = self.varint()?;
        let len =
            usize::try_from(len).map_err(|_| anyhow::anyhow!("negative record length {len}"))?;
        let left = self.all.len() - self.pos;
        if left < len {
            anyhow::bail!("record of {len} bytes but only {left} left");
        }
        if len == 0 {
            anyhow::bail!("empty record");
        }
        let end = self.pos + len;
        // Attributes: unused in v2 records.
        self.pos += 1;
        let timestamp_delta = self.varlong(end)?;
        let offset_delta = self.varint_within(end)?;
        let key = self.nullable_bytes(end)?;
        let value = self.nullable_bytes(end)?;
        let header_count = self.varint_within(end)?;
        let header_count =
            usize::try_from(header_count).map_err(|_| anyhow::anyhow!("negative header count"))?;
        let mut headers = Vec::with_capacity(header_count.min((end - self.pos) / 2 + 1));
        for _ in 0..header_count {
            let name = self
                .nullable_bytes(end)?
                .ok_or_else(|| anyhow::anyhow!("null header name"))?;
            let name = String::from_utf8(name.to_vec())
                .map_err(|_| anyhow::anyhow!("header name is not UTF-8"))?;
            headers.push((name, self.nullable_bytes(end)?));
        }
        // Bytes a newer record format may append are skipped, as the length says.
        self.pos = end;
        Ok(DecodedRecord {
            offset: batch.base_offset + i64::from(offset_delta),
            timestamp: if batch.log_append_time {
                batch.max_timestamp
            } else {
                batch.base_timestamp.wrapping_add(timestamp_delta)
            },
            log_append_time: batch.log_append_time,
            key,
            value,
            headers,
            leader_epoch: batch.leader_epoch,
        })
    }

    /// A varint from the rest of the section (a record's length).
    fn varint(&mut self) -> anyhow::Result<i32> {
        self.varint_within(self.all.len())
    }

    /// A varint that must end before `end`.
    fn varint_within(&mut self, end: usize) -> anyhow::Result<i32> {
        self.read_within(end, varint::read_varint)
    }

    fn varlong(&mut self, end: usize) -> anyhow::Result<i64> {
        self.read_within(end, varint::read_varlong)
    }

    /// Reads with `read` from the bytes before `end`, advancing past what it took.
    fn read_within<T>(
        &mut self,
        end: usize,
        read: fn(&mut &[u8]) -> std::result::Result<T, varint::VarintError>,
    ) -> anyhow::Result<T> {
        let mut s = &self.all[self.pos..end];
        let before = s.len();
        let v = read(&mut s)?;
        self.pos += before - s.len();
        Ok(v)
    }

    fn nullable_bytes(&mut self, end: usize) -> anyhow::Result<Option<Bytes>> {
        let len = self.varint_within(end)?;
        if len < 0 {
            return Ok(None);
        }
        let len = len as usize;
        let left = end - self.pos;
        if left < len {
            anyhow::bail!("field of {len} bytes but only {left} left");
        }
        let field = self.all.slice(self.pos..self.pos + len);
        self.pos += len;
        Ok(Some(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{BatchBuilder, RecordHeader};
    use crate::compression::CompressionType;

    fn decode_batch(batch: Bytes) -> Result<Vec<DecodedRecord>> {
        let mut out = Vec::new();
        decode_each_record(batch, true, |r| out.push(r))?;
        Ok(out)
    }

    fn header(k: &str, v: Option<&'static [u8]>) -> RecordHeader {
        RecordHeader {
            key: k.to_string(),
            value: v.map(Bytes::from_static),
        }
    }

    #[test]
    fn repeated_headers_and_every_codec_round_trip() {
        for codec in CompressionType::ALL {
            let mut b = BatchBuilder::new(1024);
            let headers = vec![
                header("hop", Some(b"a")),
                header("other", None),
                header("hop", Some(b"b")),
            ];
            b.append(1_000, Some(b"k"), Some(b"v1"), &headers).unwrap();
            b.append(1_005, None, None, &[]).unwrap();
            let mut finished = b.finish(codec, 7, 0, 0).unwrap();
            // The broker assigns offsets by patching the base offset in place.
            finished.bytes = {
                let mut m = bytes::BytesMut::from(&finished.bytes[..]);
                m[0..8].copy_from_slice(&40i64.to_be_bytes());
                m.freeze()
            };
            let records = decode_batch(finished.bytes.clone()).unwrap();
            assert_eq!(records.len(), 2, "{codec:?}");
            assert_eq!(records[0].offset, 40);
            assert_eq!(records[1].offset, 41);
            assert_eq!(records[0].timestamp, 1_000);
            assert_eq!(records[1].timestamp, 1_005);
            assert_eq!(records[0].key.as_deref(), Some(&b"k"[..]));
            assert_eq!(records[1].value, None);
            let names: Vec<&str> = records[0].headers.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(names, vec!["hop", "other", "hop"], "{codec:?}");
            assert_eq!(records[0].headers[2].1.as_deref(), Some(&b"b"[..]));
            assert_eq!(records[0].headers[1].1, None);
            let h = BatchHeader::parse(&finished.bytes).unwrap();
            assert_eq!(h.last_offset() + 1, 42);
        }
    }

    #[test]
    fn corrupt_or_truncated_batches_are_errors_not_panics() {
        let mut b = BatchBuilder::new(1024);
        b.append(1, Some(b"k"), Some(b"v"), &[]).unwrap();
        let bytes = b.finish(CompressionType::None, -1, -1, -1).unwrap().bytes;
        let mut flipped = bytes.to_vec();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        let e = decode_batch(Bytes::from(flipped)).unwrap_err();
        assert!(e.to_string().contains("CRC-32C mismatch"), "{e}");
        // A flipped value byte: a CRC error by default; with check.crcs=false the value is
        // handed over as it came.
        let mut bad_value = bytes.to_vec();
        let at = bad_value.iter().rposition(|&b| b == b'v').unwrap();
        bad_value[at] ^= 0xff;
        let bad_value = Bytes::from(bad_value);
        assert!(decode_batch(bad_value.clone()).is_err());
        let mut values = Vec::new();
        decode_each_record(bad_value, false, |r| values.push(r.value)).unwrap();
        assert_eq!(values, vec![Some(Bytes::from_static(&[b'v' ^ 0xff]))]);
        for cut in 0..bytes.len() {
            let _ = decode_batch(bytes.slice(..cut));
        }
        // A huge record count with a valid CRC still fails cleanly.
        let mut huge = bytes.to_vec();
        huge[57..61].copy_from_slice(&i32::MAX.to_be_bytes());
        crate::batch::seal_crc(&mut huge);
        assert!(decode_batch(Bytes::from(huge)).is_err());
    }
}

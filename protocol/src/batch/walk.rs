//! Walking the records inside a v2 batch (uncompressed or gzip/snappy/lz4/zstd) to check their
//! structure: varint lengths, offset deltas 0..n-1, keys, headers, no trailing bytes.
//!
//! Compressed batches are decompressed as a stream and keys/values are skipped, never
//! collected, so memory stays bounded whatever the batch claims to hold.

use std::io::{self, Read};

use super::header::BatchHeader;
use crate::varint::{self, VarintError};

/// Why the records of a batch are unusable.
#[derive(Debug)]
pub enum WalkError {
    /// Structure is wrong (lengths, offset deltas, trailing bytes): `INVALID_RECORD`.
    Invalid(String),
    /// The compressed payload cannot be decompressed: `CORRUPT_MESSAGE`.
    Decompress(String),
}

/// What validation needs to know about the records of one batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordSummary {
    /// Smallest record timestamp other than -1 (`i64::MAX` when none).
    pub min_timestamp: i64,
    /// Largest record timestamp (-1 when none).
    pub max_timestamp: i64,
    /// Whether some record has a null key.
    pub keyless: bool,
}

/// One record's position and time, as seen while walking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordMeta {
    pub offset_delta: i32,
    /// `baseTimestamp + timestampDelta` (the caller applies LogAppendTime).
    pub timestamp: i64,
    pub has_key: bool,
}

/// Walks every record of a batch and summarises timestamps and keys.
pub fn walk_records(header: &BatchHeader, body: &[u8]) -> Result<RecordSummary, WalkError> {
    let mut summary = RecordSummary {
        min_timestamp: i64::MAX,
        max_timestamp: -1,
        keyless: false,
    };
    for_each_record(header, body, |meta| {
        if meta.timestamp != -1 {
            summary.min_timestamp = summary.min_timestamp.min(meta.timestamp);
        }
        summary.max_timestamp = summary.max_timestamp.max(meta.timestamp);
        summary.keyless |= !meta.has_key;
        true
    })?;
    Ok(summary)
}

/// Calls `f` for each record in order until it returns `false`. `body` is the batch after its
/// 61-byte header. When `f` never stops the walk, trailing bytes are an error.
pub fn for_each_record(
    header: &BatchHeader,
    body: &[u8],
    f: impl FnMut(RecordMeta) -> bool,
) -> Result<(), WalkError> {
    let count = header.record_count;
    let base_ts = header.base_timestamp;
    match header.compression() {
        0 => walk_source(&mut SliceSource { buf: body, pos: 0 }, count, base_ts, f),
        1 => {
            let reader = flate2::read::MultiGzDecoder::new(body);
            walk_source(&mut ReadSource::new(reader), count, base_ts, f)
        }
        2 => {
            let reader = SnappyReader::new(body)?;
            walk_source(&mut ReadSource::new(reader), count, base_ts, f)
        }
        3 => {
            let reader = lz4::Decoder::new(body)
                .map_err(|e| WalkError::Decompress(format!("lz4 frame header: {e}")))?;
            walk_source(&mut ReadSource::new(reader), count, base_ts, f)
        }
        4 => {
            let reader = zstd::stream::read::Decoder::new(body)
                .map_err(|e| WalkError::Decompress(format!("zstd: {e}")))?;
            walk_source(&mut ReadSource::new(reader), count, base_ts, f)
        }
        other => Err(WalkError::Decompress(format!(
            "unknown compression codec id {other}"
        ))),
    }
}

/// A byte source the walker reads records from.
trait Source {
    fn byte(&mut self) -> Result<u8, WalkError>;
    fn skip(&mut self, n: usize) -> Result<(), WalkError>;
    fn position(&self) -> u64;
    fn at_end(&mut self) -> Result<bool, WalkError>;
}

fn truncated() -> WalkError {
    WalkError::Invalid("a record overruns the end of its batch".into())
}

struct SliceSource<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Source for SliceSource<'_> {
    fn byte(&mut self) -> Result<u8, WalkError> {
        let b = *self.buf.get(self.pos).ok_or_else(truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn skip(&mut self, n: usize) -> Result<(), WalkError> {
        let end = self.pos.checked_add(n).ok_or_else(truncated)?;
        if end > self.buf.len() {
            return Err(truncated());
        }
        self.pos = end;
        Ok(())
    }

    fn position(&self) -> u64 {
        self.pos as u64
    }

    fn at_end(&mut self) -> Result<bool, WalkError> {
        Ok(self.pos == self.buf.len())
    }
}

struct ReadSource<R> {
    inner: io::BufReader<R>,
    pos: u64,
}

impl<R: Read> ReadSource<R> {
    fn new(inner: R) -> Self {
        ReadSource {
            inner: io::BufReader::with_capacity(16 * 1024, inner),
            pos: 0,
        }
    }
}

fn io_error(e: io::Error) -> WalkError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        truncated()
    } else {
        WalkError::Decompress(format!("cannot decompress the batch: {e}"))
    }
}

impl<R: Read> Source for ReadSource<R> {
    fn byte(&mut self) -> Result<u8, WalkError> {
        let mut b = [0u8; 1];
        self.inner.read_exact(&mut b).map_err(io_error)?;
        self.pos += 1;
        Ok(b[0])
    }

    fn skip(&mut self, n: usize) -> Result<(), WalkError> {
        let want = n as u64;
        let copied =
            io::copy(&mut (&mut self.inner).take(want), &mut io::sink()).map_err(io_error)?;
        if copied != want {
            return Err(truncated());
        }
        self.pos += want;
        Ok(())
    }

    fn position(&self) -> u64 {
        self.pos
    }

    fn at_end(&mut self) -> Result<bool, WalkError> {
        let mut b = [0u8; 1];
        loop {
            match self.inner.read(&mut b) {
                Ok(0) => return Ok(true),
                Ok(_) => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(e)),
            }
        }
    }
}

fn varint_error(e: VarintError) -> WalkError {
    match e {
        VarintError::Truncated => truncated(),
        VarintError::TooLong => WalkError::Invalid("varint longer than 5 bytes".into()),
    }
}

fn varint<S: Source>(src: &mut S) -> Result<i32, WalkError> {
    varint::read_varint_from(|| src.byte().map(Some))?.map_err(varint_error)
}

fn varlong<S: Source>(src: &mut S) -> Result<i64, WalkError> {
    varint::read_varlong_from(|| src.byte().map(Some))?.map_err(|e| match e {
        VarintError::TooLong => WalkError::Invalid("varlong longer than 10 bytes".into()),
        e => varint_error(e),
    })
}

/// Reads a length that may be -1 (null) and skips that many bytes; returns whether non-null.
fn skip_nullable<S: Source>(src: &mut S, what: &str) -> Result<bool, WalkError> {
    let len = varint(src)?;
    if len < -1 {
        return Err(WalkError::Invalid(format!("negative {what} length {len}")));
    }
    if len >= 0 {
        src.skip(len as usize)?;
    }
    Ok(len >= 0)
}

fn walk_source<S: Source>(
    src: &mut S,
    count: i32,
    base_timestamp: i64,
    mut f: impl FnMut(RecordMeta) -> bool,
) -> Result<(), WalkError> {
    for expected_delta in 0..count {
        let len = varint(src)?;
        if len < 0 {
            return Err(WalkError::Invalid(format!("negative record length {len}")));
        }
        let start = src.position();
        let _attributes = src.byte()?;
        let timestamp_delta = varlong(src)?;
        let offset_delta = varint(src)?;
        if offset_delta != expected_delta {
            return Err(WalkError::Invalid(format!(
                "record {expected_delta} has offset delta {offset_delta}; deltas must run 0..{count}"
            )));
        }
        let has_key = skip_nullable(src, "key")?;
        skip_nullable(src, "value")?;
        let headers = varint(src)?;
        if headers < 0 {
            return Err(WalkError::Invalid(format!(
                "negative header count {headers}"
            )));
        }
        for _ in 0..headers {
            let key_len = varint(src)?;
            if key_len < 0 {
                return Err(WalkError::Invalid("a record header has a null key".into()));
            }
            src.skip(key_len as usize)?;
            skip_nullable(src, "header value")?;
        }
        let consumed = src.position() - start;
        if consumed != len as u64 {
            return Err(WalkError::Invalid(format!(
                "record {expected_delta} declares {len} bytes but holds {consumed}"
            )));
        }
        let meta = RecordMeta {
            offset_delta,
            timestamp: base_timestamp.wrapping_add(timestamp_delta),
            has_key,
        };
        if !f(meta) {
            return Ok(());
        }
    }
    if !src.at_end()? {
        return Err(WalkError::Invalid(
            "bytes remain after the last record of the batch".into(),
        ));
    }
    Ok(())
}

/// Largest snappy block accepted (xerial blocks are 32 KiB by default).
const MAX_SNAPPY_BLOCK: usize = 64 * 1024 * 1024;
/// Xerial header: magic, version 1, minimum compatible version 1 (what Java and librdkafka
/// write). Anything else is read as raw snappy, as kafka-protocol and xerial do.
const XERIAL_HEADER: &[u8; 16] = b"\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01";

/// Reads Kafka's snappy payloads: xerial-framed blocks (what the Java client writes) or one
/// raw snappy block (what some other clients write).
struct SnappyReader<'a> {
    input: &'a [u8],
    block: Vec<u8>,
    pos: usize,
}

fn snappy_len(block: &[u8]) -> Result<usize, WalkError> {
    let len = snap::raw::decompress_len(block)
        .map_err(|e| WalkError::Decompress(format!("snappy: {e}")))?;
    if len > MAX_SNAPPY_BLOCK {
        return Err(WalkError::Decompress(format!(
            "snappy block claims {len} bytes, more than the {MAX_SNAPPY_BLOCK} accepted"
        )));
    }
    Ok(len)
}

impl<'a> SnappyReader<'a> {
    fn new(body: &'a [u8]) -> Result<Self, WalkError> {
        if let Some(input) = body.strip_prefix(XERIAL_HEADER.as_slice()) {
            return Ok(SnappyReader {
                input,
                block: Vec::new(),
                pos: 0,
            });
        }
        let mut block = vec![0u8; snappy_len(body)?];
        snap::raw::Decoder::new()
            .decompress(body, &mut block)
            .map_err(|e| WalkError::Decompress(format!("snappy: {e}")))?;
        Ok(SnappyReader {
            input: &[],
            block,
            pos: 0,
        })
    }

    fn next_block(&mut self) -> io::Result<bool> {
        let Some(len_bytes) = self.input.get(..4) else {
            if self.input.is_empty() {
                return Ok(false);
            }
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "snappy: truncated block length",
            ));
        };
        let len =
            u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]) as usize;
        let end = 4usize.saturating_add(len);
        let compressed = self
            .input
            .get(4..end)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "snappy: truncated block"))?;
        self.input = &self.input[end..];
        let out_len = snappy_len(compressed)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "snappy: bad block length"))?;
        self.block.clear();
        self.block.resize(out_len, 0);
        snap::raw::Decoder::new()
            .decompress(compressed, &mut self.block)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("snappy: {e}")))?;
        self.pos = 0;
        Ok(true)
    }
}

impl Read for SnappyReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.block.len() {
            if !self.next_block()? {
                return Ok(0);
            }
        }
        let available = &self.block[self.pos..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zigzag(v: i64, out: &mut Vec<u8>) {
        crate::varint::put_varlong(out, v);
    }

    /// One record: attributes, timestamp delta, offset delta, key, value, headers.
    fn record(
        ts_delta: i64,
        offset_delta: i64,
        key: Option<&[u8]>,
        headers: &[(i64, &[u8])],
    ) -> Vec<u8> {
        let mut body = vec![0u8];
        zigzag(ts_delta, &mut body);
        zigzag(offset_delta, &mut body);
        match key {
            Some(k) => {
                zigzag(k.len() as i64, &mut body);
                body.extend_from_slice(k);
            }
            None => zigzag(-1, &mut body),
        }
        zigzag(3, &mut body);
        body.extend_from_slice(b"val");
        zigzag(headers.len() as i64, &mut body);
        for (key_len, bytes) in headers {
            zigzag(*key_len, &mut body);
            body.extend_from_slice(bytes);
            zigzag(-1, &mut body);
        }
        let mut out = Vec::new();
        zigzag(body.len() as i64, &mut out);
        out.extend(body);
        out
    }

    fn header(count: i32, compression: i16) -> BatchHeader {
        BatchHeader {
            base_offset: 0,
            batch_length: 0,
            partition_leader_epoch: 0,
            magic: 2,
            crc: 0,
            attributes: compression,
            last_offset_delta: count - 1,
            base_timestamp: 1000,
            max_timestamp: 1000,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            record_count: count,
        }
    }

    fn invalid(result: Result<RecordSummary, WalkError>) -> String {
        match result {
            Err(WalkError::Invalid(msg)) => msg,
            other => panic!("expected invalid records, got {other:?}"),
        }
    }

    #[test]
    fn well_formed_records_are_summarised() {
        let mut body = record(5, 0, Some(b"k"), &[(1, b"h")]);
        body.extend(record(-3, 1, None, &[]));
        let summary = walk_records(&header(2, 0), &body).unwrap();
        assert_eq!(
            summary,
            RecordSummary {
                min_timestamp: 997,
                max_timestamp: 1005,
                keyless: true
            }
        );
    }

    #[test]
    fn structural_errors_are_invalid_records() {
        let h = header(2, 0);
        let mut wrong_delta = record(0, 0, Some(b"k"), &[]);
        wrong_delta.extend(record(0, 2, Some(b"k"), &[]));
        assert!(invalid(walk_records(&h, &wrong_delta)).contains("offset delta"));

        let mut null_header_key = record(0, 0, Some(b"k"), &[(-1, b"")]);
        null_header_key.extend(record(0, 1, Some(b"k"), &[]));
        assert!(invalid(walk_records(&h, &null_header_key)).contains("null key"));

        let mut short_length = record(0, 0, Some(b"k"), &[]);
        short_length[0] -= 2; // declared length now smaller than the fields (zigzag: -1)
        short_length.extend(record(0, 1, Some(b"k"), &[]));
        assert!(walk_records(&h, &short_length).is_err());

        let one = record(0, 0, Some(b"k"), &[]);
        assert!(invalid(walk_records(&h, &one)).contains("overruns"));

        let overlong_varint = [0xffu8; 6];
        assert!(invalid(walk_records(&h, &overlong_varint)).contains("varint"));

        let mut trailing = record(0, 0, None, &[]);
        trailing.extend(record(0, 1, None, &[]));
        trailing.push(0);
        assert!(invalid(walk_records(&h, &trailing)).contains("remain"));
    }

    #[test]
    fn raw_and_xerial_snappy_payloads_are_both_read() {
        let mut body = record(1, 0, Some(b"a"), &[]);
        body.extend(record(2, 1, Some(b"b"), &[]));
        let raw = snap::raw::Encoder::new().compress_vec(&body).unwrap();
        let summary = walk_records(&header(2, 2), &raw).unwrap();
        assert_eq!(summary.max_timestamp, 1002);

        let mut xerial = XERIAL_HEADER.to_vec();
        for chunk in body.chunks(7) {
            let block = snap::raw::Encoder::new().compress_vec(chunk).unwrap();
            xerial.extend_from_slice(&(block.len() as u32).to_be_bytes());
            xerial.extend_from_slice(&block);
        }
        assert_eq!(walk_records(&header(2, 2), &xerial).unwrap(), summary);
        xerial.truncate(xerial.len() - 2);
        assert!(walk_records(&header(2, 2), &xerial).is_err());
    }
}

//! Kafka's variable-length integers (protobuf style: 7 bits a byte, zig-zag for signed values),
//! as record batches use them. Writing appends to a `BufMut`; reading takes bytes from any
//! source one at a time, so the same decoder serves slices, `Bytes` and decompressing streams.

use bytes::BufMut;

/// Why a varint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarintError {
    /// The source ended inside the varint.
    Truncated,
    /// More than 5 (varint) or 10 (varlong) bytes.
    TooLong,
}

impl std::fmt::Display for VarintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VarintError::Truncated => f.write_str("truncated varint"),
            VarintError::TooLong => f.write_str("varint longer than its type allows"),
        }
    }
}

impl std::error::Error for VarintError {}

/// Zig-zag encoding of an `i32`.
pub fn zigzag32(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

/// Zig-zag encoding of an `i64`.
pub fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Encoded length of an unsigned varint.
pub fn uvarint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Encoded length of a signed varint.
pub fn varint_len(v: i32) -> usize {
    uvarint_len(u64::from(zigzag32(v)))
}

/// Encoded length of a signed varlong.
pub fn varlong_len(v: i64) -> usize {
    uvarint_len(zigzag64(v))
}

/// Appends an unsigned varint.
pub fn put_uvarint(buf: &mut impl BufMut, mut v: u64) {
    while v >= 0x80 {
        buf.put_u8((v as u8) | 0x80);
        v >>= 7;
    }
    buf.put_u8(v as u8);
}

/// Appends a signed (zig-zag) varint.
pub fn put_varint(buf: &mut impl BufMut, v: i32) {
    put_uvarint(buf, u64::from(zigzag32(v)));
}

/// Appends a signed (zig-zag) varlong.
pub fn put_varlong(buf: &mut impl BufMut, v: i64) {
    put_uvarint(buf, zigzag64(v));
}

fn read_uvarint<E>(
    max_bytes: u32,
    mut next: impl FnMut() -> Result<Option<u8>, E>,
) -> Result<Result<u64, VarintError>, E> {
    let mut value = 0u64;
    for i in 0..max_bytes {
        let Some(b) = next()? else {
            return Ok(Err(VarintError::Truncated));
        };
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(Ok(value));
        }
    }
    Ok(Err(VarintError::TooLong))
}

/// Reads a signed varint, taking bytes from `next` (`Ok(None)` at the end of the source; an
/// `Err` from the source is passed through as the outer error).
pub fn read_varint_from<E>(
    next: impl FnMut() -> Result<Option<u8>, E>,
) -> Result<Result<i32, VarintError>, E> {
    Ok(read_uvarint(5, next)?.map(|v| {
        let v = v as u32;
        ((v >> 1) as i32) ^ -((v & 1) as i32)
    }))
}

/// Reads a signed varlong, taking bytes from `next` (see [`read_varint_from`]).
pub fn read_varlong_from<E>(
    next: impl FnMut() -> Result<Option<u8>, E>,
) -> Result<Result<i64, VarintError>, E> {
    Ok(read_uvarint(10, next)?.map(|v| ((v >> 1) as i64) ^ -((v & 1) as i64)))
}

fn slice_source<'a, 'b>(
    buf: &'a mut &'b [u8],
) -> impl FnMut() -> Result<Option<u8>, std::convert::Infallible> + use<'a, 'b> {
    move || {
        Ok(buf.split_first().map(|(b, rest)| {
            *buf = rest;
            *b
        }))
    }
}

/// Reads a signed varint from the front of `buf`, advancing it.
#[inline]
pub fn read_varint(buf: &mut &[u8]) -> Result<i32, VarintError> {
    // Most varints in a record (attributes aside: deltas, lengths, counts) fit one byte.
    if let Some((&b, rest)) = buf.split_first() {
        if b < 0x80 {
            *buf = rest;
            return Ok(i32::from(b >> 1) ^ -i32::from(b & 1));
        }
    }
    match read_varint_from(slice_source(buf)) {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

/// Reads a signed varlong from the front of `buf`, advancing it.
#[inline]
pub fn read_varlong(buf: &mut &[u8]) -> Result<i64, VarintError> {
    if let Some((&b, rest)) = buf.split_first() {
        if b < 0x80 {
            *buf = rest;
            return Ok(i64::from(b >> 1) ^ -i64::from(b & 1));
        }
    }
    match read_varlong_from(slice_source(buf)) {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_edges_and_lengths() {
        for v in [0, 1, -1, 63, -64, 64, i32::MAX, i32::MIN] {
            let mut buf = Vec::new();
            put_varint(&mut buf, v);
            assert_eq!(buf.len(), varint_len(v));
            let mut s = &buf[..];
            assert_eq!(read_varint(&mut s), Ok(v));
            assert!(s.is_empty());
        }
        for v in [0i64, -1, i64::MAX, i64::MIN, 1 << 40] {
            let mut buf = Vec::new();
            put_varlong(&mut buf, v);
            assert_eq!(buf.len(), varlong_len(v));
            let mut s = &buf[..];
            assert_eq!(read_varlong(&mut s), Ok(v));
        }
    }

    #[test]
    fn truncated_and_overlong_input_are_errors() {
        let mut s: &[u8] = &[0x80, 0x80];
        assert_eq!(read_varint(&mut s), Err(VarintError::Truncated));
        let mut s: &[u8] = &[0xff; 6];
        assert_eq!(read_varint(&mut s), Err(VarintError::TooLong));
        let mut s: &[u8] = &[0xff; 11];
        assert_eq!(read_varlong(&mut s), Err(VarintError::TooLong));
    }
}

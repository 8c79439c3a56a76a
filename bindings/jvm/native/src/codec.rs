//! The byte layout batches cross JNI in (mirrored by `Codec.java`).
//!
//! Owns [`Enc`] (Rust → Java: records, delivery results, offsets, metadata) and [`Dec`]
//! (Java → Rust: offset maps, partition lists). Big-endian, as `java.nio.ByteBuffer` reads by
//! default; a string is an `i32` byte length (-1 = null) and UTF-8; bytes likewise.

use std::collections::BTreeMap;

use ferrokafka_core::TopicPartition;

use crate::entry::{illegal_argument, JResult};

/// Builds a batch for Java.
#[derive(Default)]
pub struct Enc {
    pub buf: Vec<u8>,
}

impl Enc {
    pub fn with_capacity(n: usize) -> Enc {
        Enc {
            buf: Vec::with_capacity(n),
        }
    }
    pub fn i8(&mut self, v: i8) {
        self.buf.push(v as u8);
    }
    pub fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn str(&mut self, s: &str) {
        self.bytes(Some(s.as_bytes()));
    }
    pub fn bytes(&mut self, b: Option<&[u8]>) {
        match b {
            Some(b) => {
                self.i32(b.len() as i32);
                self.buf.extend_from_slice(b);
            }
            None => self.i32(-1),
        }
    }
    /// An optional `i32` as `i32` with -1 for none (leader epochs, leaders).
    pub fn opt_i32(&mut self, v: Option<i32>) {
        self.i32(v.unwrap_or(-1));
    }
    pub fn i32s(&mut self, v: &[i32]) {
        self.i32(v.len() as i32);
        for x in v {
            self.i32(*x);
        }
    }
    /// `[count][topic, partition, value(i64)]...`: offsets, low watermarks.
    pub fn partition_values<'v>(
        &mut self,
        values: impl ExactSizeIterator<Item = (&'v TopicPartition, &'v i64)>,
    ) {
        self.i32(values.len() as i32);
        for (tp, v) in values {
            self.str(&tp.topic);
            self.i32(tp.partition);
            self.i64(*v);
        }
    }
}

/// Reads a batch from Java.
pub struct Dec<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Dec<'a> {
    pub fn new(buf: &'a [u8]) -> Dec<'a> {
        Dec { buf, pos: 0 }
    }
    fn take(&mut self, n: usize) -> JResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| illegal_argument("malformed batch from Java (truncated)"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    pub fn i32(&mut self) -> JResult<i32> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn i64(&mut self) -> JResult<i64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }
    pub fn opt_bytes(&mut self) -> JResult<Option<&'a [u8]>> {
        let n = self.i32()?;
        if n < 0 {
            return Ok(None);
        }
        self.take(n as usize).map(Some)
    }
    pub fn string(&mut self) -> JResult<String> {
        let b = self
            .opt_bytes()?
            .ok_or_else(|| illegal_argument("null string in a batch from Java"))?;
        String::from_utf8(b.to_vec()).map_err(|_| illegal_argument("invalid UTF-8 from Java"))
    }
    /// `[count][topic, partition, value(i64)]...` (the layout [`Enc::partition_values`] writes).
    pub fn partition_values(&mut self) -> JResult<BTreeMap<TopicPartition, i64>> {
        let mut out = BTreeMap::new();
        for _ in 0..self.i32()? {
            let topic = self.string()?;
            let partition = self.i32()?;
            out.insert(TopicPartition::new(topic, partition), self.i64()?);
        }
        Ok(out)
    }
}

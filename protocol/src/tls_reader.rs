//! [`RecordReader`]: the transport rustls reads a TLS connection through, on the broker's side and
//! on the client's. It reads the socket in large chunks into its own buffer and hands rustls the bytes of one TLS record per
//! read (up to the end of the current record, plus the next record's 5-byte header when it is
//! already here); writes go straight to the socket.
//!
//! Why record by record: rustls moves the unprocessed rest of its input buffer to the front after
//! every record it decrypts. Given everything that is buffered (up to ~18 KiB per read), a
//! stream of small records (librdkafka sends ~2 KiB ones) made it move about 3.4 bytes for every
//! byte received (callgrind, 100,000 x 1 KB produced over SASL_SSL: 341 M of the broker's 1.6 G
//! instructions). Handed one record at a time, rustls's buffer holds at most the next header
//! after each record, so at most 5 bytes are moved. Why a buffer at all: rustls asks its
//! transport for at most 4 KiB per read, so reading the socket directly took four or five `recv`
//! calls per 16 KiB record.
//!
//! Only the sizes of the reads change: the bytes rustls sees are the socket's bytes, in order. A
//! peer that is not speaking TLS gets its first "record length" read from garbage; that only
//! sizes the next reads until rustls rejects the header.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A TLS record header: content type (1), protocol version (2), length (2).
const HEADER: usize = 5;

/// Bytes read from the socket per `recv` under rustls, on the broker's side and the client's.
/// Measured on 60,000 x 1 KB produced over SASL_SSL: 9,091 `recvfrom` calls on the broker when
/// rustls read the socket itself (at most 4 KiB per read), about as many as plain TCP (2,275)
/// through this buffer.
pub const READ_BUFFER: usize = 64 * 1024;

/// A read-buffered transport that hands out at most one TLS record per read.
pub struct RecordReader<S> {
    inner: S,
    buf: Box<[u8]>,
    /// Unread bytes are `buf[pos..filled]`.
    pos: usize,
    filled: usize,
    /// Bytes from `pos` to the end of the current record (header included); 0 at a boundary.
    to_boundary: usize,
    /// The socket reported end of stream.
    eof: bool,
}

impl<S> RecordReader<S> {
    /// A reader over `inner` reading up to `capacity` bytes (at least one record header) per
    /// socket read.
    pub fn with_capacity(capacity: usize, inner: S) -> RecordReader<S> {
        RecordReader {
            inner,
            buf: vec![0; capacity.max(HEADER)].into_boxed_slice(),
            pos: 0,
            filled: 0,
            to_boundary: 0,
            eof: false,
        }
    }

    /// How many buffered bytes the next read may hand out, or `None` when it must read the
    /// socket first (nothing buffered, or only part of a record header). The second value is
    /// the size of the next record (header included) when the chunk ends with that record's
    /// header.
    fn next_chunk(&mut self) -> Option<(usize, usize)> {
        let avail = self.filled - self.pos;
        if avail == 0 {
            return None;
        }
        if self.to_boundary == 0 {
            if avail < HEADER {
                // After end of stream the rest goes out as it is: rustls reports the cut record.
                return self.eof.then_some((avail, 0));
            }
            self.to_boundary = self.record_size_at(self.pos);
        }
        if avail >= self.to_boundary + HEADER {
            // The next record's header goes with the end of this record: rustls keeps those 5
            // bytes after decrypting, so its buffer never runs empty (an empty one is shrunk to
            // 4 KiB and regrown, zero-filled, for the next 16 KiB record).
            let next = self.record_size_at(self.pos + self.to_boundary);
            return Some((self.to_boundary + HEADER, next));
        }
        Some((avail.min(self.to_boundary), 0))
    }

    /// The size (header included) of the record whose header starts at `buf[at]`.
    fn record_size_at(&self, at: usize) -> usize {
        HEADER + usize::from(u16::from_be_bytes([self.buf[at + 3], self.buf[at + 4]]))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for RecordReader<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if out.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            if let Some((n, next)) = this.next_chunk() {
                let n = n.min(out.remaining());
                out.put_slice(&this.buf[this.pos..this.pos + n]);
                this.pos += n;
                this.to_boundary = if n <= this.to_boundary {
                    this.to_boundary - n
                } else {
                    // Part or all of the next record's header went out too (or, at end of
                    // stream, the last few bytes: `next` is 0 and nothing follows).
                    next.saturating_sub(n - this.to_boundary)
                };
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            // Keep the unread part of a header (under 5 bytes) and fill the rest.
            this.buf.copy_within(this.pos..this.filled, 0);
            this.filled -= this.pos;
            this.pos = 0;
            let mut rb = ReadBuf::new(&mut this.buf[this.filled..]);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
            let n = rb.filled().len();
            if n == 0 {
                this.eof = true;
            }
            this.filled += n;
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for RecordReader<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// A record of `len` body bytes, all `fill`.
    fn record(len: u16, fill: u8) -> Vec<u8> {
        let mut r = vec![23, 3, 3];
        r.extend_from_slice(&len.to_be_bytes());
        r.extend(std::iter::repeat_n(fill, usize::from(len)));
        r
    }

    /// Reads with `ask`-byte buffers until end of stream; returns every read's bytes.
    async fn reads<S: AsyncRead + Unpin>(mut r: RecordReader<S>, ask: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let mut b = vec![0; ask];
            let n = r.read(&mut b).await.unwrap();
            if n == 0 {
                return out;
            }
            b.truncate(n);
            out.push(b);
        }
    }

    /// Which record each byte of `records` belongs to, `None` for header bytes.
    fn body_owner(records: &[Vec<u8>]) -> Vec<Option<usize>> {
        let mut owner = Vec::new();
        for (i, r) in records.iter().enumerate() {
            owner.extend(std::iter::repeat_n(None, HEADER));
            owner.extend(std::iter::repeat_n(Some(i), r.len() - HEADER));
        }
        owner
    }

    #[tokio::test]
    async fn hands_out_one_record_per_read_and_every_byte_in_order() {
        let records = [record(3, 1), record(0, 2), record(20, 3), record(2, 4)];
        let stream: Vec<u8> = records.concat();
        // Big asks: each read ends at a record boundary, or just after the next header.
        let got = reads(RecordReader::with_capacity(64, &stream[..]), 4096).await;
        let lens: Vec<usize> = got.iter().map(Vec::len).collect();
        assert_eq!(lens, [13, 30, 2]);
        assert_eq!(got.concat(), stream);
        // Small asks and a buffer smaller than a record: still every byte, in order, and no
        // read holds the bodies of two records.
        let owner = body_owner(&records);
        for (capacity, ask) in [(7, 4), (9, 6), (30, 11), (64, 1)] {
            let got = reads(RecordReader::with_capacity(capacity, &stream[..]), ask).await;
            assert_eq!(got.concat(), stream, "capacity {capacity}, reads of {ask}");
            let mut at = 0;
            for chunk in &got {
                let mut bodies: Vec<usize> = owner[at..at + chunk.len()]
                    .iter()
                    .flatten()
                    .copied()
                    .collect();
                bodies.dedup();
                assert!(
                    bodies.len() <= 1,
                    "read {at}..{} holds bodies {bodies:?}",
                    at + chunk.len()
                );
                at += chunk.len();
            }
        }
    }

    #[tokio::test]
    async fn a_header_split_across_socket_reads_is_joined_before_it_is_read() {
        // The socket delivers 2 bytes of the second header, then the rest.
        let first = record(4, 9);
        let second = record(6, 8);
        let (mut tx, rx) = tokio::io::duplex(64);
        let writer = tokio::spawn({
            let (first, second) = (first.clone(), second.clone());
            async move {
                use tokio::io::AsyncWriteExt;
                tx.write_all(&first).await.unwrap();
                tx.write_all(&second[..2]).await.unwrap();
                tokio::task::yield_now().await;
                tx.write_all(&second[2..]).await.unwrap();
            }
        });
        let got = reads(RecordReader::with_capacity(64, rx), 4096).await;
        writer.await.unwrap();
        assert_eq!(got.concat(), [first, second].concat());
    }

    #[tokio::test]
    async fn bytes_cut_short_at_end_of_stream_are_still_handed_out() {
        // Garbage (not TLS) and a stream that ends inside a header.
        let stream = [0xffu8, 0xff, 0xff];
        let got = reads(RecordReader::with_capacity(64, &stream[..]), 4096).await;
        assert_eq!(got.concat(), stream);
        let stream: Vec<u8> = b"GET / HTTP/1.1\r\n".to_vec();
        let got = reads(RecordReader::with_capacity(64, &stream[..]), 4096).await;
        assert_eq!(got.concat(), stream);
    }
}

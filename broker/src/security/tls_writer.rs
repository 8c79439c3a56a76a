//! [`RecordWriter`]: the write half a server-side TLS connection's responses go through. It hands
//! rustls plaintext in whole TLS records (16 KiB, the most one record carries) and keeps rustls's
//! output buffer bounded itself, so that every record on the wire is full except the last one
//! before a flush.
//!
//! Why: rustls makes one record per `write` call (split at 16 KiB), and with its default buffer
//! limit (64 KiB of unsent TLS data) it accepts only what fits in the space left. When the
//! client reads slower than the broker writes, that space is whatever the socket last took, so a
//! large Fetch response went out as a stream of odd-sized records, and a client pays per record
//! (the JVM's `SSLEngine.unwrap` is called once per record). Here rustls's own limit is lifted
//! (see [`super::tls::accept`]) and this writer bounds it instead: after [`DRAIN_AFTER`] bytes
//! handed over it waits until rustls has passed everything to the socket before taking more.
//!
//! Only the sizes of the writes change: the bytes rustls encrypts are the caller's bytes, in
//! order. A partial record waits here until the next write or a flush (shutdown flushes first).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::AsyncWrite;

/// Plaintext bytes in a full TLS record (RFC 8446 5.1, RFC 5246 6.2.1: 2^14).
pub const RECORD_PLAINTEXT: usize = 16 * 1024;

/// At most this much is handed to rustls per call: four whole records.
const MAX_HANDOFF: usize = 4 * RECORD_PLAINTEXT;

/// Bytes handed to rustls after which it must first pass all it holds to the socket (bounds the
/// encrypted data buffered per connection to about this plus [`MAX_HANDOFF`]).
pub const DRAIN_AFTER: usize = 256 * 1024;

/// Whole-record writes over `inner` (a TLS stream's write half; see the module docs).
pub struct RecordWriter<W> {
    inner: W,
    /// Plaintext of a record not yet handed to rustls (at most [`RECORD_PLAINTEXT`] bytes).
    partial: Vec<u8>,
    /// Bytes handed to `inner` since it last drained (flushed).
    undrained: usize,
}

impl<W> RecordWriter<W> {
    pub fn new(inner: W) -> RecordWriter<W> {
        RecordWriter {
            inner,
            partial: Vec::with_capacity(RECORD_PLAINTEXT),
            undrained: 0,
        }
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }
}

impl<W: AsyncWrite + Unpin> RecordWriter<W> {
    /// Drains `inner` once [`DRAIN_AFTER`] bytes went to it since its last drain.
    fn poll_bound(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.undrained >= DRAIN_AFTER {
            ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
            self.undrained = 0;
        }
        Poll::Ready(Ok(()))
    }

    /// Hands `inner` the buffered partial record (full or, before a flush, not).
    fn poll_hand_partial(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.partial.is_empty() {
            ready!(self.poll_bound(cx))?;
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.partial))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.undrained += n;
            self.partial.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for RecordWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if this.partial.len() == RECORD_PLAINTEXT {
            ready!(this.poll_hand_partial(cx))?;
        }
        if this.partial.is_empty() && buf.len() >= RECORD_PLAINTEXT {
            // Whole records straight from the caller's buffer.
            ready!(this.poll_bound(cx))?;
            let whole = (buf.len() / RECORD_PLAINTEXT * RECORD_PLAINTEXT).min(MAX_HANDOFF);
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &buf[..whole]))?;
            this.undrained += n;
            return Poll::Ready(Ok(n));
        }
        // Less than a record, or the start of the record a previous write began: buffered.
        let n = (RECORD_PLAINTEXT - this.partial.len()).min(buf.len());
        this.partial.extend_from_slice(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_hand_partial(cx))?;
        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
        this.undrained = 0;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut *this).poll_flush(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

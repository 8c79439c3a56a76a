//! Writing a Fetch response frame to a connection: header chunks through the connection's
//! buffered writer, stored batches either with `sendfile(2)` straight from the segment file
//! (zero-copy) or read into the connection's [`CopyBuffer`] with the rest of the frame and
//! written a 64 KiB window at a time (the copy path).
//!
//! The choice is a property of the connection: `zero_copy` is true only when the setting
//! `ferrokafka.fetch.zero.copy` is not `false` and the write half is a plain TCP socket
//! ([`SendFileSocket::tcp_socket`] returns it). A TLS write half keeps the default `None`, so
//! its connections copy. Both paths write the same bytes (tested).

use std::io;

use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;

use crate::config::BrokerConfig;
use crate::handler::fetch_frame::Chunk;

/// Below this many bytes a stored slice is copied even on a zero-copy connection: one
/// positional read into the buffered writer is cheaper than flushing it and a `sendfile` call.
pub const SENDFILE_MIN_BYTES: usize = 16 * 1024;

/// The setting that turns the zero-copy path off for every connection (`false`).
pub const ZERO_COPY_SETTING: &str = "ferrokafka.fetch.zero.copy";

/// A write half that may expose the TCP socket underneath for `sendfile`.
pub trait SendFileSocket {
    /// The socket `sendfile` may write to directly; `None` (the default) selects the copy path.
    fn tcp_socket(&self) -> Option<&TcpStream> {
        None
    }
}

impl SendFileSocket for OwnedWriteHalf {
    fn tcp_socket(&self) -> Option<&TcpStream> {
        Some(self.as_ref())
    }
}

/// Whether a connection whose write half is `w` serves Fetch with `sendfile`.
pub fn zero_copy_for<W: SendFileSocket>(config: &BrokerConfig, w: &W) -> bool {
    let enabled = config
        .given
        .get(ZERO_COPY_SETTING)
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    enabled && w.tcp_socket().is_some()
}

/// Bytes of a frame the copy path reads and writes at a time: a multiple of TLS's largest record
/// (16 KiB), so a TLS connection still cuts the frame into full records from its first byte, and
/// small enough that what the positional read brought in is still in the CPU cache when TLS
/// encrypts it (reading a 1 MiB answer whole first left the encryption to fetch it from memory
/// again).
pub const COPY_WINDOW: usize = 64 * 1024;

/// The copy path's buffer, one per connection, reused for every frame. It keeps its
/// initialised length between frames, so a frame costs positional reads and no zero-filling.
/// [`CopyBuffer::write_frame`] needs [`COPY_WINDOW`] bytes whatever the frame's size;
/// [`CopyBuffer::assemble`] (small slices on the zero-copy path) grows it to what it assembles.
#[derive(Debug, Default)]
pub struct CopyBuffer {
    buf: Vec<u8>,
}

impl CopyBuffer {
    /// The bytes `chunks` make, assembled in the buffer (stored slices read from their files).
    pub fn assemble(&mut self, chunks: &[Chunk]) -> io::Result<&[u8]> {
        let total: usize = chunks.iter().map(Chunk::len).sum();
        if self.buf.len() < total {
            self.buf.resize(total, 0);
        }
        let mut at = 0;
        for chunk in chunks {
            let dst = &mut self.buf[at..at + chunk.len()];
            match chunk {
                Chunk::Bytes(b) => dst.copy_from_slice(b),
                Chunk::File(f) => f.read_exact_into(dst)?,
            }
            at += chunk.len();
        }
        Ok(&self.buf[..total])
    }

    /// Writes the frame `chunks` make to `writer` a [`COPY_WINDOW`] at a time: each window is
    /// filled (header bytes copied, stored bytes read from their files) and written before the
    /// next is read.
    pub async fn write_frame<W: AsyncWrite + Unpin>(
        &mut self,
        writer: &mut W,
        chunks: &[Chunk],
    ) -> io::Result<()> {
        if self.buf.len() < COPY_WINDOW {
            self.buf.resize(COPY_WINDOW, 0);
        }
        let mut filled = 0;
        for chunk in chunks {
            let mut done = 0;
            while done < chunk.len() {
                let n = (chunk.len() - done).min(COPY_WINDOW - filled);
                let dst = &mut self.buf[filled..filled + n];
                match chunk {
                    Chunk::Bytes(b) => dst.copy_from_slice(&b[done..done + n]),
                    Chunk::File(f) => f.read_range_into(done, dst)?,
                }
                done += n;
                filled += n;
                if filled == COPY_WINDOW {
                    writer.write_all(&self.buf[..filled]).await?;
                    filled = 0;
                }
            }
        }
        if filled > 0 {
            writer.write_all(&self.buf[..filled]).await?;
        }
        Ok(())
    }
}

/// Writes one Fetch frame to `writer`: through `copy` a window at a time on the copy path; on
/// the zero-copy path header chunks and small slices through `writer`, large slices with
/// `sendfile`. An error leaves the connection mid-frame: the caller must close it.
pub async fn write_fetch_frame<W>(
    writer: &mut BufWriter<W>,
    chunks: &[Chunk],
    zero_copy: bool,
    copy: &mut CopyBuffer,
) -> io::Result<()>
where
    W: AsyncWrite + Unpin + SendFileSocket,
{
    if !zero_copy {
        return copy.write_frame(writer, chunks).await;
    }
    for chunk in chunks {
        match chunk {
            Chunk::Bytes(b) => writer.write_all(b).await?,
            Chunk::File(f) if f.len() < SENDFILE_MIN_BYTES => {
                writer
                    .write_all(copy.assemble(std::slice::from_ref(chunk))?)
                    .await?;
            }
            Chunk::File(f) => {
                writer.flush().await?;
                match writer.get_ref().tcp_socket() {
                    Some(socket) => f.send_to(socket).await?,
                    None => {
                        writer
                            .write_all(copy.assemble(std::slice::from_ref(chunk))?)
                            .await?;
                    }
                }
            }
        }
    }
    Ok(())
}

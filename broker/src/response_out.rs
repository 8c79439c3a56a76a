//! Writing a Fetch response frame to a connection: header chunks through the connection's
//! buffered writer, stored batches either with `sendfile(2)` straight from the segment file
//! (zero-copy) or copied into the response buffer (the copy path).
//!
//! The choice is a property of the connection: `zero_copy` is true only when the setting
//! `ferrokafka.fetch.zero.copy` is not `false` and the write half is a plain TCP socket
//! ([`SendFileSocket::tcp_socket`] returns it). A TLS write half keeps the default `None`, so
//! its connections copy. Both paths write the same bytes (tested).

use std::io;

use bytes::BytesMut;
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;

use crate::config::BrokerConfig;
use crate::handler::fetch_frame::{self, Chunk};

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

/// Writes one Fetch frame. On the copy path the whole frame is appended to `out` for the
/// caller to write; on the zero-copy path it goes to `writer` now and `out` is left empty.
/// An error leaves the connection mid-frame: the caller must close it.
pub async fn write_fetch_frame<W>(
    writer: &mut BufWriter<W>,
    chunks: &[Chunk],
    zero_copy: bool,
    out: &mut BytesMut,
) -> io::Result<()>
where
    W: AsyncWrite + Unpin + SendFileSocket,
{
    if !zero_copy {
        return fetch_frame::copy_into(chunks, out);
    }
    for chunk in chunks {
        match chunk {
            Chunk::Bytes(b) => writer.write_all(b).await?,
            Chunk::File(f) if f.len() < SENDFILE_MIN_BYTES => {
                out.clear();
                f.read_into(out)?;
                writer.write_all(out).await?;
                out.clear();
            }
            Chunk::File(f) => {
                writer.flush().await?;
                match writer.get_ref().tcp_socket() {
                    Some(socket) => f.send_to(socket).await?,
                    None => {
                        out.clear();
                        f.read_into(out)?;
                        writer.write_all(out).await?;
                        out.clear();
                    }
                }
            }
        }
    }
    Ok(())
}

//! [`FileSlice`]: a range of whole record batches in a segment file, captured under the
//! partition's read lock, and the two ways of moving it into a response: `sendfile(2)` from the
//! page cache straight to a TCP socket (no user-space copy), or one positional read into the
//! response buffer (the copy path, for TLS and as the fallback; `read_exact_into` fills a
//! reused buffer without zero-filling it first).
//!
//! Why this is safe against the log changing underneath an in-flight send:
//! - the slice holds the segment's open file (`Arc<File>`, no new descriptor), so retention,
//!   topic deletion or a roll that unlinks or seals the file leave these bytes readable until
//!   the slice is dropped (Linux keeps an unlinked file's data while a descriptor is open);
//! - `len` is fixed at read time from the committed size of whole batches, so bytes appended
//!   later are never served;
//! - if the file was cut below the slice (truncation), the send fails with `UnexpectedEof`
//!   instead of sending fewer bytes than the frame header promised; the caller closes the
//!   connection.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::Interest;
use tokio::net::TcpStream;

/// Whole batches `[position, position + len)` of one segment file.
#[derive(Clone)]
pub struct FileSlice {
    file: Arc<File>,
    position: u64,
    len: usize,
}

impl std::fmt::Debug for FileSlice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileSlice({}+{})", self.position, self.len)
    }
}

/// Bytes moved by `sendfile` since the process started (see [`sendfile_bytes`]).
static SENDFILE_BYTES: AtomicU64 = AtomicU64::new(0);

/// How many bytes this process has sent with `sendfile`: lets tests and operators check that
/// the zero-copy path is the one in use.
pub fn sendfile_bytes() -> u64 {
    SENDFILE_BYTES.load(Ordering::Relaxed)
}

/// Largest count handed to one `sendfile` call (Linux moves at most ~2 GiB per call anyway).
const MAX_SENDFILE_CHUNK: usize = 1 << 30;

impl FileSlice {
    pub(crate) fn new(file: Arc<File>, position: u64, len: usize) -> FileSlice {
        FileSlice {
            file,
            position,
            len,
        }
    }

    /// Bytes in the slice.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The copy path: appends the slice's bytes to `out` with one positional read.
    pub fn read_into(&self, out: &mut BytesMut) -> io::Result<()> {
        let start = out.len();
        out.resize(start + self.len, 0);
        let read = self.file.read_exact_at(&mut out[start..], self.position);
        if read.is_err() {
            out.truncate(start);
        }
        read
    }

    /// The copy path into a reused buffer: fills `dst` (exactly [`Self::len`] bytes) with one
    /// positional read.
    pub fn read_exact_into(&self, dst: &mut [u8]) -> io::Result<()> {
        if dst.len() != self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "destination size differs from the slice",
            ));
        }
        self.file.read_exact_at(dst, self.position)
    }

    /// The windowed copy path: fills `dst` with the slice's bytes from `from` on (`from +
    /// dst.len()` must not pass the end of the slice) with one positional read.
    pub fn read_range_into(&self, from: usize, dst: &mut [u8]) -> io::Result<()> {
        if from.checked_add(dst.len()).is_none_or(|end| end > self.len) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "range passes the end of the slice",
            ));
        }
        self.file.read_exact_at(dst, self.position + from as u64)
    }

    /// The zero-copy path: moves the slice from the file to `socket` with `sendfile(2)`,
    /// waiting for writability between partial sends. Nothing else may write to the socket
    /// meanwhile (the connection loop owns its write half). Cancelling the future leaves the
    /// socket mid-frame: the caller must then drop the connection, as it does on any error.
    pub async fn send_to(&self, socket: &TcpStream) -> io::Result<()> {
        let mut offset = i64::try_from(self.position)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "file position too large"))?;
        let mut remaining = self.len;
        while remaining > 0 {
            socket.writable().await?;
            let count = remaining.min(MAX_SENDFILE_CHUNK);
            let sent = socket.try_io(Interest::WRITABLE, || {
                nix::sys::sendfile::sendfile(socket, &*self.file, Some(&mut offset), count)
                    .map_err(io::Error::from)
            });
            match sent {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "segment file is shorter than the batches read from it (truncated during the send)",
                    ))
                }
                Ok(n) => {
                    SENDFILE_BYTES.fetch_add(n as u64, Ordering::Relaxed);
                    remaining -= n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

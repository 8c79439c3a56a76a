//! Length-prefixed frames: a big-endian `i32` size followed by that many bytes.
//!
//! Owns reading one frame from an async stream with a maximum size guard: an oversize or
//! negative prefix is refused before any allocation. Both ends use it (the client reads
//! responses, the broker requests); writing belongs to their encoders, which reserve the prefix.

use bytes::{BufMut, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The length prefix is negative or larger than the limit; nothing was allocated.
    #[error("frame size {size} is outside 0..={max}; the peer is not speaking the Kafka protocol or sent a corrupt frame")]
    Size { size: i64, max: usize },
    /// The stream failed or ended inside a frame.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Reads one frame body (without its length prefix). `Ok(None)` on a clean end of stream
/// before any byte of a new frame; an end of stream inside a frame is an `UnexpectedEof`.
pub async fn read_frame<R: AsyncRead + Unpin>(
    r: &mut R,
    max: usize,
) -> Result<Option<BytesMut>, FrameError> {
    let Some(len) = read_frame_len(r, max).await? else {
        return Ok(None);
    };
    let mut buf = BytesMut::with_capacity(len);
    read_body(r, &mut buf, len).await?;
    Ok(Some(buf))
}

/// Reads a frame's length prefix and checks it against `max`. `Ok(None)` on a clean end of
/// stream before the prefix.
pub(crate) async fn read_frame_len<R: AsyncRead + Unpin>(
    r: &mut R,
    max: usize,
) -> Result<Option<usize>, FrameError> {
    let mut len_buf = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = r.read(&mut len_buf[got..]).await?;
        if n == 0 {
            if got == 0 {
                return Ok(None);
            }
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        got += n;
    }
    let len = i32::from_be_bytes(len_buf);
    if len < 0 || len as usize > max {
        return Err(FrameError::Size {
            size: i64::from(len),
            max,
        });
    }
    Ok(Some(len as usize))
}

/// Reads exactly `len` bytes into the spare capacity of `buf`: no zero-filling of a buffer
/// about to be overwritten.
pub(crate) async fn read_body<R: AsyncRead + Unpin, B: BufMut>(
    r: &mut R,
    buf: &mut B,
    len: usize,
) -> Result<(), FrameError> {
    let mut left = len;
    while left > 0 {
        let n = r.read_buf(&mut (&mut *buf).limit(left)).await?;
        if n == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        left -= n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_frames_and_clean_eof() {
        let mut data: &[u8] = &[0, 0, 0, 3, b'a', b'b', b'c', 0, 0, 0, 0];
        let f = read_frame(&mut data, 10).await.unwrap().unwrap();
        assert_eq!(&f[..], b"abc");
        let f = read_frame(&mut data, 10).await.unwrap().unwrap();
        assert!(f.is_empty());
        assert!(read_frame(&mut data, 10).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn huge_or_negative_prefix_is_rejected_without_allocating() {
        let mut data: &[u8] = &[0x7f, 0xff, 0xff, 0xff];
        let e = read_frame(&mut data, 1024).await.unwrap_err();
        assert!(
            matches!(
                e,
                FrameError::Size {
                    size: 2147483647,
                    max: 1024
                }
            ),
            "{e}"
        );
        let mut data: &[u8] = &[0xff, 0xff, 0xff, 0xff];
        let e = read_frame(&mut data, 1024).await.unwrap_err();
        assert!(matches!(e, FrameError::Size { size: -1, .. }), "{e}");
    }

    #[tokio::test]
    async fn truncated_frames_are_unexpected_eof() {
        for mut data in [&[0u8, 0, 0, 5, 1, 2][..], &[0, 0][..]] {
            match read_frame(&mut data, 10).await {
                Err(FrameError::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof),
                other => panic!("expected an EOF error, got {other:?}"),
            }
        }
    }
}

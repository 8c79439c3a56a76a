//! Length-prefixed frames: a big-endian `i32` size followed by that many bytes.
//!
//! Owns reading one frame from an async stream with a maximum size guard: an oversize or negative
//! prefix is a protocol error and never allocates. Writing is `codec`'s job (it reserves the prefix).

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::error::{Error, Result};

/// Largest response frame accepted by default (fetch responses can reach `fetch.max.bytes`).
pub const DEFAULT_MAX_FRAME_SIZE: usize = 256 * 1024 * 1024;

/// Reads one frame body (without its length prefix). `Ok(None)` on a clean end of stream before
/// any byte of a new frame.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R, max: usize) -> Result<Option<BytesMut>> {
    let mut len_buf = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = r
            .read(&mut len_buf[got..])
            .await
            .map_err(|e| Error::network("reading frame length", e))?;
        if n == 0 {
            if got == 0 {
                return Ok(None);
            }
            return Err(Error::network(
                "reading frame length",
                std::io::ErrorKind::UnexpectedEof.into(),
            ));
        }
        got += n;
    }
    let len = i32::from_be_bytes(len_buf);
    if len < 0 || len as usize > max {
        return Err(Error::protocol(format!(
            "frame size {len} is outside 0..={max}; the peer is not speaking the Kafka protocol \
             or sent a corrupt frame"
        )));
    }
    let mut buf = BytesMut::zeroed(len as usize);
    r.read_exact(&mut buf)
        .await
        .map_err(|e| Error::network("reading frame body", e))?;
    Ok(Some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

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
    async fn huge_prefix_is_rejected_without_allocating() {
        let mut data: &[u8] = &[0x7f, 0xff, 0xff, 0xff];
        let e = read_frame(&mut data, 1024).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        let mut data: &[u8] = &[0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            read_frame(&mut data, 1024).await.unwrap_err().kind(),
            ErrorKind::Protocol
        );
    }

    #[tokio::test]
    async fn truncated_frames_are_network_errors() {
        let mut data: &[u8] = &[0, 0, 0, 5, 1, 2];
        assert_eq!(
            read_frame(&mut data, 10).await.unwrap_err().kind(),
            ErrorKind::Network
        );
        let mut data: &[u8] = &[0, 0];
        assert_eq!(
            read_frame(&mut data, 10).await.unwrap_err().kind(),
            ErrorKind::Network
        );
    }
}

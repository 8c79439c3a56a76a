//! [`FramePool`]: recycled buffers for large frames, [`read_pooled_frame`], which reads a frame
//! into one, and [`FramePool::copy_into_pooled`], which copies a large byte run into one (the
//! Node producer's packed records).
//!
//! Why: a fetch response is read into one buffer, and the records handed to the application are
//! slices of it, so the buffer lives until the last of them is dropped. Allocated fresh, a buffer
//! of a megabyte or more comes from `mmap`: the kernel zero-fills it page by page as the socket
//! data is copied in (a page fault per 4 KiB), and unmaps it again when it is freed. Measured on
//! a Node consumer reading 1 KB records: 0.17-0.30 page faults per record, and a copy into the
//! cold buffer that cost twice the copy into a warm one. A recycled buffer is already mapped
//! and often still in cache.
//!
//! A buffer goes back to its pool when the last `Bytes` slice of its frame is dropped, from any
//! thread. A pool keeps at most its `max_idle` buffers, none larger than its `max_buffer`, so
//! what it holds on to is bounded (the client keeps two of up to 64 MiB per broker connection);
//! frames smaller than [`FramePool::MIN_FRAME`] are allocated as before (the allocator's own
//! caches serve them).

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::io::AsyncRead;

use crate::frame::{read_body, read_frame_len, FrameError};

/// Idle buffers shared by the frames of one reader; cheap to clone.
#[derive(Clone)]
pub struct FramePool {
    idle: Arc<Mutex<Vec<Vec<u8>>>>,
    max_idle: usize,
    max_buffer: usize,
}

impl std::fmt::Debug for FramePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FramePool")
            .field("idle", &self.idle_count())
            .finish()
    }
}

impl FramePool {
    /// Frames below this size are not pooled.
    pub const MIN_FRAME: usize = 64 * 1024;

    /// An empty pool that keeps at most `max_idle` idle buffers, freeing any buffer of more than
    /// `max_buffer` bytes instead of keeping it.
    pub fn new(max_idle: usize, max_buffer: usize) -> FramePool {
        FramePool {
            idle: Arc::new(Mutex::new(Vec::with_capacity(max_idle))),
            max_idle,
            max_buffer,
        }
    }

    /// How many idle buffers the pool holds.
    pub fn idle_count(&self) -> usize {
        self.idle.lock().map_or(0, |v| v.len())
    }

    /// `src` copied into a buffer from this pool when it is at least [`FramePool::MIN_FRAME`]
    /// bytes (into a fresh allocation otherwise); the buffer returns to the pool when the last
    /// slice of the result is dropped. For large byte runs copied in again and again (a binding's
    /// packed records), which would otherwise fault in freshly mapped memory every time.
    pub fn copy_into_pooled(&self, src: &[u8]) -> Bytes {
        if src.len() < FramePool::MIN_FRAME {
            return Bytes::copy_from_slice(src);
        }
        let mut buf = self.take(src.len());
        buf.extend_from_slice(src);
        Bytes::from_owner(Pooled {
            buf,
            pool: self.clone(),
        })
    }

    /// An empty buffer with room for `len` bytes: the smallest idle one that fits, else a new
    /// one. When none fits, the smallest idle buffer is freed, so a pool that served small
    /// frames adapts to larger ones.
    fn take(&self, len: usize) -> Vec<u8> {
        let (fit, evicted) = match self.idle.lock() {
            Ok(mut idle) => {
                let fit = idle
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.capacity() >= len)
                    .min_by_key(|(_, b)| b.capacity())
                    .map(|(i, _)| i);
                match fit {
                    Some(i) => (Some(idle.swap_remove(i)), None),
                    None => {
                        let smallest = idle
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, b)| b.capacity())
                            .map(|(i, _)| i);
                        (None, smallest.map(|i| idle.swap_remove(i)))
                    }
                }
            }
            Err(_) => (None, None),
        };
        // Freed outside the lock.
        drop(evicted);
        match fit {
            Some(mut buf) => {
                buf.clear();
                buf
            }
            None => Vec::with_capacity(len),
        }
    }

    fn give_back(&self, buf: Vec<u8>) {
        if buf.capacity() > self.max_buffer {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < self.max_idle {
                idle.push(buf);
            }
        }
    }
}

/// A frame's buffer while some `Bytes` still points into it.
struct Pooled {
    buf: Vec<u8>,
    pool: FramePool,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        self.pool.give_back(std::mem::take(&mut self.buf));
    }
}

/// Reads one frame body (as [`crate::read_frame`] does) into a buffer from `pool` when it is at
/// least [`FramePool::MIN_FRAME`] bytes. `Ok(None)` on a clean end of stream before a frame.
pub async fn read_pooled_frame<R: AsyncRead + Unpin>(
    r: &mut R,
    max: usize,
    pool: &FramePool,
) -> Result<Option<Bytes>, FrameError> {
    let Some(len) = read_frame_len(r, max).await? else {
        return Ok(None);
    };
    if len < FramePool::MIN_FRAME {
        let mut buf = bytes::BytesMut::with_capacity(len);
        read_body(r, &mut buf, len).await?;
        return Ok(Some(buf.freeze()));
    }
    let mut buf = pool.take(len);
    read_body(r, &mut buf, len).await?;
    Ok(Some(Bytes::from_owner(Pooled {
        buf,
        pool: pool.clone(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(bodies: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for b in bodies {
            out.extend_from_slice(&(b.len() as i32).to_be_bytes());
            out.extend_from_slice(b);
        }
        out
    }

    const MIB: usize = 1024 * 1024;

    #[test]
    fn large_copies_reuse_a_returned_buffer_and_small_ones_are_not_pooled() {
        let pool = FramePool::new(1, MIB);
        let big: Vec<u8> = (0..100_000u32).map(|i| (i * 3) as u8).collect();
        let first = pool.copy_into_pooled(&big);
        assert_eq!(&first[..], &big[..]);
        let ptr = first.as_ptr();
        drop(first);
        assert_eq!(pool.idle_count(), 1);
        let other: Vec<u8> = (0..90_000u32).map(|i| (i * 5) as u8).collect();
        let second = pool.copy_into_pooled(&other);
        assert_eq!(second.as_ptr(), ptr, "the returned buffer is reused");
        assert_eq!(&second[..], &other[..]);
        drop(second);
        let small = pool.copy_into_pooled(b"tiny");
        assert_eq!(&small[..], b"tiny");
        drop(small);
        assert_eq!(
            pool.idle_count(),
            1,
            "a small copy neither takes nor adds a buffer"
        );
    }

    #[tokio::test]
    async fn large_frames_reuse_a_returned_buffer() {
        let pool = FramePool::new(2, MIB);
        let big: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let other: Vec<u8> = (0..150_000u32).map(|i| (i * 7) as u8).collect();
        let data = framed(&[big.clone(), other.clone()]);
        let mut rd: &[u8] = &data;

        let first = read_pooled_frame(&mut rd, 1 << 20, &pool)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&first[..], &big[..]);
        let ptr = first.as_ptr();
        // A slice keeps the buffer out of the pool until it is dropped too.
        let slice = first.slice(10..20);
        drop(first);
        assert_eq!(pool.idle_count(), 0);
        assert_eq!(&slice[..], &big[10..20]);
        drop(slice);
        assert_eq!(pool.idle_count(), 1);

        // The next frame is read into the same memory, with its own bytes.
        let second = read_pooled_frame(&mut rd, 1 << 20, &pool)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.as_ptr(), ptr);
        assert_eq!(&second[..], &other[..]);
        assert_eq!(pool.idle_count(), 0);
        assert!(read_pooled_frame(&mut rd, 1 << 20, &pool)
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn small_frames_are_not_pooled_and_the_pool_is_bounded() {
        let pool = FramePool::new(3, MIB);
        let data = framed(&[b"abc".to_vec()]);
        let mut rd: &[u8] = &data;
        let f = read_pooled_frame(&mut rd, 10, &pool)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&f[..], b"abc");
        drop(f);
        assert_eq!(pool.idle_count(), 0);

        let body = vec![5u8; FramePool::MIN_FRAME];
        let data = framed(&vec![body; 5]);
        let mut rd: &[u8] = &data;
        let mut live = Vec::new();
        while let Some(f) = read_pooled_frame(&mut rd, 1 << 20, &pool).await.unwrap() {
            live.push(f);
        }
        assert_eq!(live.len(), 5);
        drop(live);
        assert_eq!(pool.idle_count(), 3);

        // A buffer above the pool's size limit is freed, not kept.
        let pool = FramePool::new(3, FramePool::MIN_FRAME);
        let data = framed(&[vec![1u8; FramePool::MIN_FRAME + 1]]);
        let mut rd: &[u8] = &data;
        drop(read_pooled_frame(&mut rd, 1 << 20, &pool).await.unwrap());
        assert_eq!(pool.idle_count(), 0);
    }

    #[tokio::test]
    async fn a_larger_frame_replaces_the_smallest_idle_buffer() {
        let pool = FramePool::new(2, MIB);
        let small = vec![1u8; FramePool::MIN_FRAME];
        let large = vec![2u8; 4 * FramePool::MIN_FRAME];
        let data = framed(&[small, large.clone(), large.clone()]);
        let mut rd: &[u8] = &data;
        drop(read_pooled_frame(&mut rd, 1 << 20, &pool).await.unwrap());
        assert_eq!(pool.idle_count(), 1);
        // Too small for the next frame: freed, and a new buffer read into.
        let f = read_pooled_frame(&mut rd, 1 << 20, &pool)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(pool.idle_count(), 0);
        assert_eq!(&f[..], &large[..]);
        let ptr = f.as_ptr();
        drop(f);
        let f = read_pooled_frame(&mut rd, 1 << 20, &pool)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(f.as_ptr(), ptr);
        assert_eq!(&f[..], &large[..]);
    }

    #[tokio::test]
    async fn oversize_and_truncated_frames_fail_as_unpooled_ones_do() {
        let pool = FramePool::new(2, MIB);
        let mut data: &[u8] = &[0x7f, 0xff, 0xff, 0xff];
        let e = read_pooled_frame(&mut data, 1024, &pool).await.unwrap_err();
        assert!(matches!(e, FrameError::Size { .. }), "{e}");
        let mut cut = framed(&[vec![1u8; FramePool::MIN_FRAME]]);
        cut.truncate(1000);
        let mut rd: &[u8] = &cut;
        match read_pooled_frame(&mut rd, 1 << 20, &pool).await {
            Err(FrameError::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof),
            other => panic!("expected an EOF error, got {other:?}"),
        }
    }
}

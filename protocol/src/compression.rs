//! Compressing the records section of a v2 batch with the producer's codec and level.
//!
//! Owns the codec choice and Java's level rules (KIP-390): gzip through zlib (`flate2`), LZ4
//! frames as kafka-clients writes them (64 KiB independent blocks, no checksums) around
//! liblz4's block compressor (Java's default level 9 selects the fast compressor, any other
//! level LZ4-HC), zstd through libzstd, and snappy in the xerial framing Kafka uses (through
//! `kafka-protocol`). It must not build batch headers or decide what goes into a batch.

use std::io::Write;

use bytes::{BufMut, BytesMut};
use kafka_protocol::compression::{Compressor, Snappy};

use crate::error::ProtocolError;

/// `compression.type` of a producer: the codec of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressionType {
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl CompressionType {
    /// Every codec, in attribute-bit order.
    pub const ALL: [CompressionType; 5] = [
        CompressionType::None,
        CompressionType::Gzip,
        CompressionType::Snappy,
        CompressionType::Lz4,
        CompressionType::Zstd,
    ];

    /// The codec's name as Kafka's configs spell it.
    pub fn name(&self) -> &'static str {
        match self {
            CompressionType::None => "none",
            CompressionType::Gzip => "gzip",
            CompressionType::Snappy => "snappy",
            CompressionType::Lz4 => "lz4",
            CompressionType::Zstd => "zstd",
        }
    }
}

/// Per-codec compression levels, by Java's rules and defaults (KIP-390).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompressionLevels {
    /// 1-9, or -1 for zlib's default (6).
    pub gzip: i32,
    /// 1-17; 9, the default, selects LZ4's fast compressor, any other level LZ4-HC.
    pub lz4: i32,
    /// -131072 to 22; default 3.
    pub zstd: i32,
}

impl Default for CompressionLevels {
    fn default() -> Self {
        CompressionLevels {
            gzip: -1,
            lz4: 9,
            zstd: 3,
        }
    }
}

/// Java's default `compression.lz4.level`: kafka-clients uses LZ4's fast compressor for it.
const LZ4_DEFAULT_LEVEL: i32 = 9;

/// A codec with the levels configured for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    pub codec: CompressionType,
    pub levels: CompressionLevels,
}

impl From<CompressionType> for Compression {
    /// The codec at Java's default level.
    fn from(codec: CompressionType) -> Self {
        Compression {
            codec,
            levels: CompressionLevels::default(),
        }
    }
}

impl Compression {
    /// The codec's bits in a batch's attributes.
    pub fn attribute_bits(&self) -> i16 {
        match self.codec {
            CompressionType::None => 0,
            CompressionType::Gzip => 1,
            CompressionType::Snappy => 2,
            CompressionType::Lz4 => 3,
            CompressionType::Zstd => 4,
        }
    }

    /// Appends `input`, compressed, to `out`.
    pub fn compress(&self, input: &[u8], out: &mut BytesMut) -> Result<(), ProtocolError> {
        let failed = |e: &dyn std::fmt::Display| ProtocolError::Compress {
            codec: self.codec.name(),
            message: e.to_string(),
        };
        match self.codec {
            CompressionType::None => out.put_slice(input),
            CompressionType::Gzip => {
                let level = match self.levels.gzip {
                    -1 => flate2::Compression::default(),
                    l => flate2::Compression::new(l.clamp(1, 9) as u32),
                };
                let mut enc = flate2::write::GzEncoder::new(out.writer(), level);
                enc.write_all(input).map_err(|e| failed(&e))?;
                enc.finish().map_err(|e| failed(&e))?;
            }
            CompressionType::Snappy => {
                Snappy::compress(out, |tmp: &mut BytesMut| {
                    tmp.put_slice(input);
                    Ok(())
                })
                .map_err(|e| failed(&e))?;
            }
            CompressionType::Lz4 => {
                let mode = match self.levels.lz4 {
                    LZ4_DEFAULT_LEVEL => lz4::block::CompressionMode::DEFAULT,
                    l => lz4::block::CompressionMode::HIGHCOMPRESSION(l.clamp(1, 12)),
                };
                lz4_frame(input, mode, out).map_err(|e| failed(&e))?;
            }
            CompressionType::Zstd => {
                let mut enc = zstd::stream::Encoder::new(out.writer(), self.levels.zstd)
                    .map_err(|e| failed(&e))?;
                enc.write_all(input).map_err(|e| failed(&e))?;
                enc.finish().map_err(|e| failed(&e))?;
            }
        }
        Ok(())
    }
}

/// The LZ4 frame header kafka-clients writes: magic, FLG (version 1, independent blocks, no
/// checksums, no content size), BD (64 KiB blocks) and the header checksum, which is
/// `(xxh32(FLG, BD) >> 8) & 0xff` = 0x82 for exactly these two bytes.
const LZ4_FRAME_HEADER: [u8; 7] = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82];
const LZ4_BLOCK_MAX: usize = 64 * 1024;
/// Set in a block's size word when the block is stored uncompressed.
const LZ4_UNCOMPRESSED: u32 = 0x8000_0000;

/// Writes `input` as one LZ4 frame, compressing each 64 KiB block straight into `out` with
/// liblz4's block API (the streaming frame API would copy every batch into its own buffer
/// first; a batch is whole when it is compressed).
fn lz4_frame(
    input: &[u8],
    mode: lz4::block::CompressionMode,
    out: &mut BytesMut,
) -> std::io::Result<()> {
    out.put_slice(&LZ4_FRAME_HEADER);
    for block in input.chunks(LZ4_BLOCK_MAX) {
        let at = out.len();
        let bound = lz4::block::compress_bound(block.len())?;
        out.resize(at + 4 + bound, 0);
        let n = lz4::block::compress_to_buffer(block, Some(mode), false, &mut out[at + 4..])?;
        if n < block.len() {
            out.truncate(at + 4 + n);
            out[at..at + 4].copy_from_slice(&(n as u32).to_le_bytes());
        } else {
            // Incompressible: stored as is, as the frame format allows.
            out.truncate(at);
            out.put_u32_le(block.len() as u32 | LZ4_UNCOMPRESSED);
            out.put_slice(block);
        }
    }
    out.put_u32_le(0); // end mark
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use kafka_protocol::compression::{Decompressor, Gzip, Lz4, Zstd};

    fn decompress(codec: CompressionType, data: Bytes) -> Vec<u8> {
        let mut buf = data;
        let take = |b: &mut Bytes| Ok(b.to_vec());
        match codec {
            CompressionType::None => buf.to_vec(),
            CompressionType::Gzip => Gzip::decompress(&mut buf, take).unwrap(),
            CompressionType::Snappy => Snappy::decompress(&mut buf, take).unwrap(),
            CompressionType::Lz4 => Lz4::decompress(&mut buf, take).unwrap(),
            CompressionType::Zstd => Zstd::decompress(&mut buf, take).unwrap(),
        }
    }

    #[test]
    fn every_codec_and_level_round_trips() {
        // Larger than one 64 KiB LZ4 block, compressible and not.
        let mut input: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        input.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let cases = [
            (CompressionType::None, CompressionLevels::default()),
            (CompressionType::Gzip, CompressionLevels::default()),
            (
                CompressionType::Gzip,
                CompressionLevels {
                    gzip: 1,
                    ..Default::default()
                },
            ),
            (CompressionType::Snappy, CompressionLevels::default()),
            (CompressionType::Lz4, CompressionLevels::default()),
            (
                CompressionType::Lz4,
                CompressionLevels {
                    lz4: 17,
                    ..Default::default()
                },
            ),
            (CompressionType::Zstd, CompressionLevels::default()),
            (
                CompressionType::Zstd,
                CompressionLevels {
                    zstd: -3,
                    ..Default::default()
                },
            ),
        ];
        for (codec, levels) in cases {
            let c = Compression { codec, levels };
            let mut out = BytesMut::from(&b"hdr"[..]);
            c.compress(&input, &mut out).unwrap();
            assert_eq!(&out[..3], b"hdr", "{codec:?} must append");
            let body = out.freeze().slice(3..);
            if codec != CompressionType::None {
                assert!(
                    body.len() < input.len(),
                    "{codec:?} {levels:?} did not compress"
                );
            }
            assert_eq!(decompress(codec, body), input, "{codec:?} {levels:?}");
        }
    }

    #[test]
    fn lz4_frames_match_liblz4s_header_and_store_incompressible_blocks() {
        // liblz4's own frame writer, same settings: the header bytes must be identical.
        let mut reference = Vec::new();
        let enc = lz4::EncoderBuilder::new()
            .block_size(lz4::BlockSize::Max64KB)
            .block_mode(lz4::BlockMode::Independent)
            .block_checksum(lz4::liblz4::BlockChecksum::NoBlockChecksum)
            .checksum(lz4::ContentChecksum::NoChecksum)
            .build(&mut reference)
            .unwrap();
        enc.finish().1.unwrap();
        assert_eq!(reference[..7], LZ4_FRAME_HEADER);
        // Random bytes do not compress: the block is stored raw and still decodes.
        let mut x = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..70_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let mut out = BytesMut::new();
        Compression::from(CompressionType::Lz4)
            .compress(&noise, &mut out)
            .unwrap();
        let first = u32::from_le_bytes(out[7..11].try_into().unwrap());
        assert_eq!(first, LZ4_BLOCK_MAX as u32 | LZ4_UNCOMPRESSED);
        assert_eq!(decompress(CompressionType::Lz4, out.freeze()), noise);
    }

    #[test]
    fn higher_lz4_level_compresses_better() {
        let input: Vec<u8> = (0..64_000u32)
            .map(|i| {
                b"the quick brown fox jumps over the lazy dog"[(i % 43) as usize] ^ (i % 7) as u8
            })
            .collect();
        let size = |lz4: i32| {
            let mut out = BytesMut::new();
            Compression {
                codec: CompressionType::Lz4,
                levels: CompressionLevels {
                    lz4,
                    ..Default::default()
                },
            }
            .compress(&input, &mut out)
            .unwrap();
            out.len()
        };
        assert!(size(12) < size(9), "HC {} vs fast {}", size(12), size(9));
    }
}
